"""CSV upload: a panel atop the page, beside the title once loaded; the table lives in this session only."""

from __future__ import annotations

import hashlib
from contextlib import nullcontext

import streamlit as st

from playground.config import MAX_CSV_ROWS, MAX_UPLOAD_MB, RunConfig
from playground.engine.csvdata import TASKS, check_table, csv_dataset, default_target, infer_task
from playground.engine.csvread import read_csv
from playground.engine.data import Dataset
from playground.fields import clip
from playground.markup import md
from playground.ui import state

CSV_KEY = "csv_file"
PANEL_KEY = "csv_panel"
PROMPT = "Upload a CSV file in the CSV data panel above: numeric feature columns plus a target column."
NOT_IN_LINK = ("The uploaded CSV data is not in this link: it carries the settings only. Whoever opens it sees "
               "the upload prompt and must upload the same file (same target and problem type) to get this run.")


def csv_ui(cfg: RunConfig, home=None) -> tuple[Dataset | None, str | None]:
    """The CSV panel: open atop the page until a file is usable, then folded in `home`; returns (dataset, key)."""
    # Whether the file is usable decides how the panel opens, so it is worked out from the widgets' values first.
    upload = state.widget(CSV_KEY)
    table = _read(upload.getvalue()) if upload is not None else None
    picks = _picks(table.frame) if table is not None and not table.errors else None
    check = check_table(table.frame, *picks) if picks else None
    loaded = check is not None and not check.errors
    # A new label or a new `expanded` makes a new panel: it opens when the file is gone or unusable, and
    # closes once a file is usable; while that holds, the visitor's own open/close stands.
    label = f"CSV data: {md(clip(upload.name))}" if loaded else "CSV data"
    # Once loaded, the folded panel goes to `home` (beside the title): above the charts it pushed the loss
    # curve ~50 px below a 1280 x 720 screen (tested). Its widgets are keyed, so they keep their values.
    narrow = loaded and home is not None
    with home if narrow else nullcontext(), st.expander(label, expanded=not loaded, key=PANEL_KEY,
                                                        on_change="rerun"):
        file_col, target_col, task_col = [st.container() for _ in range(3)] if narrow else st.columns([2, 1, 1])
        upload = file_col.file_uploader(f"CSV file (≤ {MAX_UPLOAD_MB} MB, ≤ {MAX_CSV_ROWS:,} rows)",
                                        type=["csv", "txt"], key=CSV_KEY,
                                        help="Numeric feature columns plus a target column")
        if upload is None:
            return None, None
        data = upload.getvalue()
        table = _read(data)
        if table.errors:
            _problems(table.errors)
            return None, None
        frame = table.frame
        target, task, drop = picks or _picks(frame)
        columns = [str(c) for c in frame.columns]
        target = target_col.selectbox("Target column", columns, index=columns.index(target), key="csv_target")
        guessed = infer_task(frame[target])
        task = task_col.selectbox(f"Problem type (guessed: {guessed})", TASKS,
                                  index=TASKS.index(task if task in TASKS else guessed), key=f"csv_task_{target}")
        if check is None or (target, task, drop) != picks:
            check = check_table(frame, target, task, drop_bad_rows=drop)
        if check.bad_rows:
            st.checkbox(f"Drop the {check.bad_rows} rows with missing or infinite values", key="csv_drop")
        for notice in check.notices:
            st.caption(md(notice))
        if check.errors:
            _problems(check.errors)
            return None, None
        key = hashlib.sha1(data + f"|{target}|{task}|{drop}|{cfg.seed}|{cfg.val_frac}".encode()).hexdigest()
        st.caption(f"{len(check.y)} rows · {len(check.feature_names)} features · {task}")
    return csv_dataset(check, cfg, name=clip(upload.name)), key


def _picks(frame) -> tuple[str, str, bool]:
    # The target, problem type and drop-rows choice the widgets hold (or will start with) for this table.
    columns = [str(c) for c in frame.columns]
    target = state.widget("csv_target")
    target = target if target in columns else default_target(frame)
    task = state.widget(f"csv_task_{target}")
    task = task if task in TASKS else infer_task(frame[target])
    return target, task, bool(state.widget("csv_drop", False))


def _read(data: bytes):
    # Parsing is cached per visitor in session state, keyed by the file's hash.
    digest = hashlib.sha1(data).hexdigest()
    ui = state.ui()
    if ui.csv_table and ui.csv_table[0] == digest:
        return ui.csv_table[1]
    table = read_csv(data)
    ui.csv_table = (digest, table)
    return table


def _problems(errors: tuple[str, ...]) -> None:
    st.error("This file can't be used yet:\n" + "\n".join(f"- {md(e)}" for e in errors))
