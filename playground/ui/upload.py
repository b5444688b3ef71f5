"""CSV upload: the uploaded table lives in this visitor's session only, never on disk."""

from __future__ import annotations

import hashlib

import streamlit as st

from playground.config import MAX_CSV_ROWS, MAX_UPLOAD_MB, RunConfig
from playground.engine.csvdata import TASKS, check_table, csv_dataset, default_target, infer_task
from playground.engine.csvread import read_csv
from playground.engine.data import Dataset
from playground.fields import clip
from playground.markup import md
from playground.ui import state

CSV_KEY = "csv_file"


def csv_ui(cfg: RunConfig) -> tuple[Dataset | None, str | None]:
    """Upload widget, target and task pickers; returns (dataset or None, identity key)."""
    with st.sidebar.expander("CSV data", expanded=True):
        upload = st.file_uploader(f"CSV file (≤ {MAX_UPLOAD_MB} MB, ≤ {MAX_CSV_ROWS:,} rows)", type=["csv", "txt"],
                                  key=CSV_KEY, help="Numeric feature columns plus a target column")
        if upload is None:
            return None, None
        data = upload.getvalue()
        table = _read(data)
        if table.errors:
            _problems(table.errors)
            return None, None
        frame = table.frame
        columns = [str(c) for c in frame.columns]
        target = st.selectbox("Target column", columns, index=columns.index(default_target(frame)), key="csv_target")
        guessed = infer_task(frame[target])
        task = st.selectbox(f"Problem type (guessed: {guessed})", TASKS, index=TASKS.index(guessed),
                            key=f"csv_task_{target}")
        drop = state.widget("csv_drop", False)
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
