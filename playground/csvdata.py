"""CSV upload loader: parse uploaded bytes in memory, check the table, and build a Dataset.

Uploaded files are user data: they are parsed from bytes in memory (never eval'd, unpickled or
written to disk), and every problem comes back as a plain-words message instead of an exception.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.config import MAX_CSV_ROWS, MAX_UPLOAD_MB, RunConfig
from playground.data import Dataset, make_dataset

MIN_CSV_ROWS = 10
MAX_CSV_CLASSES = 10  # digits has 10
MAX_CSV_COLUMNS = 1000  # pandas slows to minutes on very wide headers
TASKS = ("binary", "multiclass", "regression")
_SEPARATORS = (",", ";", "\t", "|")
_NAME_CHARS = 40
_LISTED = 8


@dataclass(frozen=True)
class CsvTable:
    """Result of reading an upload: a frame, or the fatal problems that stopped it."""

    frame: pd.DataFrame | None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsvCheck:
    """A table checked for training: arrays and task, or the errors that block training."""

    x: np.ndarray | None
    y: np.ndarray | None
    task: str
    feature_names: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    bad_rows: int = 0


# ---------------------------------------------------------------- reading


def read_csv(data: bytes, *, max_rows: int = MAX_CSV_ROWS,
             max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024) -> CsvTable:
    """Parse uploaded CSV bytes in memory; never raises, problems come back as errors."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return _unread(f"the upload is not file contents (got {type(data).__name__})")
    data = bytes(data)
    problem = _byte_problem(data, max_bytes)
    if problem:
        return _unread(problem)
    frame, problem = _parse(data, data.decode("utf-8-sig"))
    if problem:
        return _unread(problem)
    problem = _shape_problem(frame, max_rows)
    return _unread(problem) if problem else CsvTable(_numeric_columns(frame), ())


def _unread(message: str) -> CsvTable:
    return CsvTable(None, (message,))


def _byte_problem(data: bytes, max_bytes: int) -> str | None:
    if len(data) > max_bytes:
        return (f"the file is {len(data) / 2**20:.2f} MB ({len(data):,} bytes); "
                f"the upload limit is {max_bytes / 2**20:g} MB ({max_bytes:,} bytes)")
    if not data.strip():
        return "the file is empty"
    if b"\x00" in data:
        return ("the file contains NUL bytes, so it is not CSV text (a spreadsheet or UTF-16 file?); "
                "save it as 'CSV UTF-8'")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return (f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start:,} "
                "is not valid UTF-8); save it as 'CSV UTF-8'")
    return None


def _separator(text: str) -> str:
    """The most frequent of , ; tab | in the first non-blank line (comma when none)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = [first.count(s) for s in _SEPARATORS]
    return _SEPARATORS[counts.index(max(counts))] if max(counts) else ","


def _parse(data: bytes, text: str) -> tuple[pd.DataFrame | None, str | None]:
    sep = _separator(text)
    try:
        problem = _wide_line(text, sep)
        if problem:
            return None, problem
        frame = pd.read_csv(io.BytesIO(data), sep=sep, encoding="utf-8", skipinitialspace=True,
                            low_memory=False, decimal="," if sep == ";" else ".")
    except pd.errors.EmptyDataError:
        return None, "the file has no columns to read (no header line)"
    except Exception as exc:  # hostile input: the parser and csv module raise many kinds
        return None, f"the file could not be read as CSV: {_plain(str(exc), 160) or type(exc).__name__}"
    return frame, None


def _wide_line(text: str, sep: str) -> str | None:
    # Counted before pandas sees the file: a header of 100,000 names takes it minutes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    for row in reader:
        if len(row) > MAX_CSV_COLUMNS:
            return (f"line {reader.line_num:,} has {len(row):,} values; "
                    f"the limit is {MAX_CSV_COLUMNS:,} columns")
    return None


def _shape_problem(frame: pd.DataFrame, max_rows: int) -> str | None:
    if frame.shape[1] == 0:
        return "the file has no columns"
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        # pandas silently turns extra leading values into an index; refuse instead.
        return ("the data rows have more values than the header has column names; "
                "check that every column has a name and the delimiter is consistent")
    if len(frame) == 0:
        return f"the file has column names but no data rows; at least {MIN_CSV_ROWS} rows are needed"
    if len(frame) > max_rows:
        return f"the file has {len(frame):,} rows; the limit is {max_rows:,}"
    return None


def _numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose every value is a number (e.g. '2.5' in a ';' file) into numbers."""
    out = frame.copy()
    for name in frame.columns:
        numbers = _as_numbers(frame[name])
        if numbers is not None:
            out[name] = numbers
    return out


def _as_numbers(column: pd.Series) -> pd.Series | None:
    if _is_number(column):
        return None
    try:
        numbers = pd.to_numeric(column, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    ok = _is_number(numbers) and int(numbers.notna().sum()) == int(column.notna().sum())
    return numbers.astype(np.float64) if ok and numbers.notna().any() else None


def _is_number(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)


def default_target(frame) -> str:
    """The last column's name (empty when there are no columns)."""
    columns = getattr(frame, "columns", ())
    return str(columns[-1]) if len(columns) else ""


# ---------------------------------------------------------------- task inference


def infer_task(target: pd.Series) -> str:
    """'binary', 'multiclass' or 'regression' from the target column's values."""
    values = pd.Series(target).dropna()
    n_unique = int(values.nunique())
    if not _is_number(values) or pd.api.types.is_bool_dtype(values.dtype):
        return "binary" if n_unique <= 2 else "multiclass"
    numbers = values.to_numpy(dtype=np.float64)
    numbers = numbers[np.isfinite(numbers)]
    few = n_unique <= 10 or (n_unique <= 20 and n_unique < 0.05 * len(values))
    if few and np.array_equal(numbers, np.floor(numbers)):
        return "binary" if n_unique <= 2 else "multiclass"
    return "regression"


# ---------------------------------------------------------------- checking


def check_table(frame: pd.DataFrame, target: str, task: str | None = None,
                drop_bad_rows: bool = False) -> CsvCheck:
    """Validate features and target for training; never raises, problems come back as errors."""
    problem = _frame_problem(frame, target)
    if problem:
        return CsvCheck(None, None, task or "", errors=(problem,))
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    frame = _numeric_columns(frame)
    features = [c for c in frame.columns if c != str(target)]
    errors = _feature_errors(frame, features, str(target))
    frame, n_bad, bad_errors, notices = _bad_rows(frame, drop_bad_rows)
    errors += bad_errors + _row_errors(len(frame), bool(n_bad and drop_bad_rows))
    column = frame[str(target)]
    task = task if task is not None else infer_task(column)
    errors += _task_errors(column, str(target), task)
    if errors:
        return CsvCheck(None, None, task, tuple(features), tuple(errors), tuple(notices), n_bad)
    x = frame[features].to_numpy(dtype=np.float64, na_value=np.nan)
    return CsvCheck(x, _target_values(column, task), task, tuple(features), (), tuple(notices), n_bad)


def _frame_problem(frame, target) -> str | None:
    if not isinstance(frame, pd.DataFrame):
        return f"expected a table (pandas DataFrame), got {type(frame).__name__}"
    names = pd.Index([str(c) for c in frame.columns])
    if names.has_duplicates:
        return (f"column names repeat: {_list(names[names.duplicated()].unique())}; "
                "give each column its own name")
    if str(target) not in names:
        return (f"the target column {_name(target)} is not in the table; "
                f"its columns are {_list(names) or 'none'}")
    return None


def _feature_errors(frame: pd.DataFrame, features: list[str], target: str) -> list[str]:
    if not features:
        return [f"there are no feature columns: the table has only the target column {_name(target)}; "
                "at least 1 other numeric column is needed"]
    text = [c for c in features if not _is_number(frame[c])]
    if not text:
        return []
    verb = "holds" if len(text) == 1 else "hold"
    return [f"feature columns must hold numbers, but {len(text)} {verb} text: {_list(text)}; "
            "convert them to numbers or remove them (only the target may hold text labels)"]


def _bad_rows(frame: pd.DataFrame, drop: bool) -> tuple[pd.DataFrame, int, list[str], list[str]]:
    bad = frame.isna().to_numpy().any(axis=1)
    for name in frame.columns:
        if _is_number(frame[name]):
            values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            bad |= np.isinf(values)
    n_bad = int(bad.sum())
    if not n_bad:
        return frame, 0, [], []
    if drop:
        kept = frame.iloc[np.flatnonzero(~bad)]
        return kept, n_bad, [], [f"dropped {_rows(n_bad)} with missing or infinite values"]
    columns = [c for c in frame.columns if _column_bad(frame[c])]
    message = (f"{_rows(n_bad)} {'has' if n_bad == 1 else 'have'} missing or infinite values "
               f"(in {_list(columns)}); they can be dropped to continue")
    return frame, n_bad, [message], []


def _column_bad(column: pd.Series) -> bool:
    if column.isna().any():
        return True
    return _is_number(column) and bool(np.isinf(column.to_numpy(dtype=np.float64, na_value=np.nan)).any())


def _row_errors(n_rows: int, dropped: bool) -> list[str]:
    if n_rows >= MIN_CSV_ROWS:
        return []
    if dropped:
        return [f"only {_rows(n_rows)} {'is' if n_rows == 1 else 'are'} left after dropping rows with "
                f"missing or infinite values; at least {MIN_CSV_ROWS} are needed"]
    return [f"the table has {_rows(n_rows)}; at least {MIN_CSV_ROWS} are needed"]


def _task_errors(column: pd.Series, target: str, task: str) -> list[str]:
    if task not in TASKS:
        return [f"unknown problem type {_name(task)}; choose binary, multiclass or regression"]
    values = column.dropna()
    if task == "regression":
        if _is_number(values):
            return []
        example = f" such as {_name(values.iloc[0])}" if len(values) else ""
        return [f"regression needs a numeric target, but {_name(target)} holds text{example}; "
                "choose binary or multiclass classification"]
    return _class_errors(values, target, task)


def _class_errors(values: pd.Series, target: str, task: str) -> list[str]:
    classes = pd.unique(_labels(values))
    k = len(classes)
    if k == 1:
        return [f"the target {_name(target)} has a single class ({_name(classes[0])}); "
                "classification needs at least 2 classes"]
    if k > MAX_CSV_CLASSES:
        return [f"the target {_name(target)} has {k:,} classes; classification here allows at most "
                f"{MAX_CSV_CLASSES}. If {_name(target)} is a quantity to predict, choose regression"]
    if task == "binary" and k > 2:
        return [f"binary classification needs exactly 2 classes, but {_name(target)} has {k} "
                f"({_list(sorted(classes))}); choose multiclass"]
    return []


def _labels(values: pd.Series) -> np.ndarray:
    """Class labels: whole numbers as int64, other numbers as float, anything else as text."""
    if not _is_number(values) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(str).to_numpy(dtype=object)
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(numbers).all() and np.array_equal(numbers, np.round(numbers))
    return numbers.astype(np.int64) if whole and np.abs(numbers).max(initial=0) < 2**53 else numbers


def _target_values(column: pd.Series, task: str) -> np.ndarray:
    if task == "regression":
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    return _labels(column)


# ---------------------------------------------------------------- dataset


def csv_dataset(check: CsvCheck, cfg: RunConfig, name: str = "csv") -> Dataset:
    """Split and standardize a passing check (raises ValueError if the check has errors)."""
    if check.errors or check.x is None or check.y is None:
        raise ValueError("the CSV check has errors: " + "; ".join(check.errors or ("no data",)))
    return make_dataset(name, check.task, check.x, check.y, cfg, check.feature_names)


# ---------------------------------------------------------------- message text


def _plain(text: str, limit: int = _NAME_CHARS) -> str:
    """User text made one plain line and clipped; the UI escapes it, so HTML stays literal."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _name(value) -> str:
    return f"'{_plain(value)}'"


def _list(values) -> str:
    values = list(values)
    shown = ", ".join(_name(v) for v in values[:_LISTED])
    return shown + (f" and {len(values) - _LISTED} more" if len(values) > _LISTED else "")


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"
