"""Reading a CSV upload: bytes parsed in memory into a table, or plain-words reasons it can't be.

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

from playground.config import MAX_CSV_ROWS, MAX_UPLOAD_MB

MIN_CSV_ROWS = 10
MAX_CSV_COLUMNS = 1000  # pandas slows to minutes on very wide headers
_SEPARATORS = (",", ";", "\t", "|")
_NAME_CHARS = 40
_LISTED = 8


@dataclass(frozen=True)
class CsvTable:
    """Result of reading an upload: a frame, or the fatal problems that stopped it."""

    frame: pd.DataFrame | None
    errors: tuple[str, ...] = ()


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
    return _unread(problem) if problem else CsvTable(numeric_columns(frame), ())


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
        return None, f"the file could not be read as CSV: {plain(str(exc), 160) or type(exc).__name__}"
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


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose every value is a number (e.g. '2.5' in a ';' file) into numbers."""
    out = frame.copy()
    for name in frame.columns:
        numbers = _as_numbers(frame[name])
        if numbers is not None:
            out[name] = numbers
    return out


def _as_numbers(column: pd.Series) -> pd.Series | None:
    if is_number(column):
        return None
    try:
        numbers = pd.to_numeric(column, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return None
    ok = is_number(numbers) and int(numbers.notna().sum()) == int(column.notna().sum())
    return numbers.astype(np.float64) if ok and numbers.notna().any() else None


def is_number(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)


# ---------------------------------------------------------------- message text


def plain(text: str, limit: int = _NAME_CHARS) -> str:
    """User text made one plain line and clipped; the UI escapes it, so HTML stays literal."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(value) -> str:
    return f"'{plain(value)}'"


def listed(values) -> str:
    values = list(values)
    shown = ", ".join(quoted(v) for v in values[:_LISTED])
    return shown + (f" and {len(values) - _LISTED} more" if len(values) > _LISTED else "")


def rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"
