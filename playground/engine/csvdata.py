"""Checking an uploaded table for training (target, task, bad rows, classes) and building its Dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.config import MAX_CSV_VALUE, RunConfig
from playground.engine.csvread import MIN_CSV_ROWS, is_number, listed, numeric_columns, quoted, rows
from playground.engine.data import Dataset, make_dataset

MAX_CSV_CLASSES = 10  # digits has 10
TASKS = ("binary", "multiclass", "regression")


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


def default_target(frame) -> str:
    """The last column's name (empty when there are no columns)."""
    columns = getattr(frame, "columns", ())
    return str(columns[-1]) if len(columns) else ""


# ---------------------------------------------------------------- task inference


def infer_task(target: pd.Series) -> str:
    """'binary', 'multiclass' or 'regression' from the target column's values."""
    values = pd.Series(target).dropna()
    n_unique = int(values.nunique())
    if not is_number(values) or pd.api.types.is_bool_dtype(values.dtype):
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
    frame = numeric_columns(frame)
    features = [c for c in frame.columns if c != str(target)]
    errors = _feature_errors(frame, features, str(target))
    frame, n_bad, bad_errors, notices = _badrows(frame, drop_bad_rows)
    errors += bad_errors + _row_errors(len(frame), bool(n_bad and drop_bad_rows))
    column = frame[str(target)]
    task = task if task is not None else infer_task(column)
    errors += _task_errors(column, str(target), task)
    errors += _size_errors(frame, features + ([str(target)] if task == "regression" else []))
    if errors:
        return CsvCheck(None, None, task, tuple(features), tuple(errors), tuple(notices), n_bad)
    x = frame[features].to_numpy(dtype=np.float64, na_value=np.nan)
    return CsvCheck(x, _target_values(column, task), task, tuple(features), (), tuple(notices), n_bad)


def _frame_problem(frame, target) -> str | None:
    if not isinstance(frame, pd.DataFrame):
        return f"expected a table (pandas DataFrame), got {type(frame).__name__}"
    names = pd.Index([str(c) for c in frame.columns])
    if names.has_duplicates:
        return (f"column names repeat: {listed(names[names.duplicated()].unique())}; "
                "give each column its own name")
    if str(target) not in names:
        return (f"the target column {quoted(target)} is not in the table; "
                f"its columns are {listed(names) or 'none'}")
    return None


def _feature_errors(frame: pd.DataFrame, features: list[str], target: str) -> list[str]:
    if not features:
        return [f"there are no feature columns: the table has only the target column {quoted(target)}; "
                "at least 1 other numeric column is needed"]
    text = [c for c in features if not is_number(frame[c])]
    if not text:
        return []
    verb = "holds" if len(text) == 1 else "hold"
    return [f"feature columns must hold numbers, but {len(text)} {verb} text: {listed(text)}; "
            "convert them to numbers or remove them (only the target may hold text labels)"]


def _badrows(frame: pd.DataFrame, drop: bool) -> tuple[pd.DataFrame, int, list[str], list[str]]:
    bad = frame.isna().to_numpy().any(axis=1)
    for name in frame.columns:
        if is_number(frame[name]):
            values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            bad |= np.isinf(values)
    n_bad = int(bad.sum())
    if not n_bad:
        return frame, 0, [], []
    if drop:
        kept = frame.iloc[np.flatnonzero(~bad)]
        return kept, n_bad, [], [f"dropped {rows(n_bad)} with missing or infinite values"]
    columns = [c for c in frame.columns if _column_bad(frame[c])]
    message = (f"{rows(n_bad)} {'has' if n_bad == 1 else 'have'} missing or infinite values "
               f"(in {listed(columns)}); they can be dropped to continue")
    return frame, n_bad, [message], []


def _column_bad(column: pd.Series) -> bool:
    if column.isna().any():
        return True
    return is_number(column) and bool(np.isinf(column.to_numpy(dtype=np.float64, na_value=np.nan)).any())


def _size_errors(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Columns holding numbers too large to standardize and train on (their statistics overflow)."""
    largest = {}
    for name in columns:
        if is_number(frame[name]):
            values = np.abs(frame[name].to_numpy(dtype=np.float64, na_value=np.nan))
            values = values[np.isfinite(values)]  # missing and infinite values are reported as bad rows
            if len(values) and values.max() > MAX_CSV_VALUE:
                largest[name] = float(values.max())
    if not largest:
        return []
    where = ", ".join(f"{quoted(name)} (up to ±{value:.3g})" for name, value in list(largest.items())[:8])
    return [f"{'a column holds' if len(largest) == 1 else f'{len(largest)} columns hold'} numbers too large to "
            f"train on: {where}; values must lie within ±{MAX_CSV_VALUE:.0e}, so rescale "
            f"{'it' if len(largest) == 1 else 'them'} (e.g. other units or a log scale)"]


def _row_errors(n_rows: int, dropped: bool) -> list[str]:
    if n_rows >= MIN_CSV_ROWS:
        return []
    if dropped:
        return [f"only {rows(n_rows)} {'is' if n_rows == 1 else 'are'} left after dropping rows with "
                f"missing or infinite values; at least {MIN_CSV_ROWS} are needed"]
    return [f"the table has {rows(n_rows)}; at least {MIN_CSV_ROWS} are needed"]


def _task_errors(column: pd.Series, target: str, task: str) -> list[str]:
    if task not in TASKS:
        return [f"unknown problem type {quoted(task)}; choose binary, multiclass or regression"]
    values = column.dropna()
    if task == "regression":
        if is_number(values):
            return []
        example = f" such as {quoted(values.iloc[0])}" if len(values) else ""
        return [f"regression needs a numeric target, but {quoted(target)} holds text{example}; "
                "choose binary or multiclass classification"]
    return _class_errors(values, target, task)


def _class_errors(values: pd.Series, target: str, task: str) -> list[str]:
    classes = pd.unique(_labels(values))
    k = len(classes)
    if k == 1:
        return [f"the target {quoted(target)} has a single class ({quoted(classes[0])}); "
                "classification needs at least 2 classes"]
    if k > MAX_CSV_CLASSES:
        return [f"the target {quoted(target)} has {k:,} classes; classification here allows at most "
                f"{MAX_CSV_CLASSES}. If {quoted(target)} is a quantity to predict, choose regression"]
    if task == "binary" and k > 2:
        return [f"binary classification needs exactly 2 classes, but {quoted(target)} has {k} "
                f"({listed(sorted(classes))}); choose multiclass"]
    return []


def _labels(values: pd.Series) -> np.ndarray:
    """Class labels: whole numbers as int64, other numbers as float, anything else as text."""
    if not is_number(values) or pd.api.types.is_bool_dtype(values.dtype):
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
