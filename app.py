"""Optimization Playground: watch a real PyTorch network train live."""

import streamlit as st

st.set_page_config(page_title="Optimization Playground", page_icon="📉", layout="wide")
st.title("Optimization Playground")
st.caption("Pick an optimizer, learning rate, batch size and regularization, press Play, and watch "
           "a real PyTorch network learn: loss curves, decision boundary and metrics, live.")

# The first visitor to a fresh server waits for torch to import; say so instead of a blank page.
with st.spinner("Loading PyTorch…"):
    from playground.ui import panels, session, sidebar, upload, views


def main() -> None:
    """Read the config (URL or widgets), sync the run, then draw controls and the live area."""
    cfg, warnings = session.bootstrap()
    session.seed_missing_widgets(cfg)
    st.session_state.setdefault("speed", 40)
    cfg = sidebar.config_ui(cfg)
    session.remember(cfg)
    panels.warnings_banner(warnings)
    dataset, data_key = upload.csv_ui(cfg) if cfg.dataset == "csv" else (None, None)
    if cfg.dataset == "csv" and dataset is None:
        st.info("Upload a CSV file in the sidebar: numeric feature columns plus a target column.")
        return
    trainer = views.sync_run(cfg, dataset, data_key)
    notice = session.pop("notice")
    if notice and notice != "lesson":
        st.toast(notice)
    views.transport_ui(trainer)
    views.live_area()
    theory, evaluation, history, share = st.tabs(["Theory", "Evaluation", "History", "Share"])
    with theory:
        panels.theory_panel(trainer)
    with evaluation:
        panels.evaluation_panel(trainer)
    with history:
        panels.history_panel(trainer)
    with share:
        panels.share_panel(cfg.to_query())


main()
