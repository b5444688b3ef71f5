"""Optimization Playground: watch a real PyTorch network train live."""

import streamlit as st

st.set_page_config(page_title="Optimization Playground", page_icon="📉", layout="wide")
# Streamlit dims elements while a script run is in flight; the live fragment runs several
# times a second, so that dimming would make the charts flicker. Keep them fully opaque.
st.html("<style>.stElementContainer[data-stale='true']{opacity:1 !important;transition:none !important}</style>")
st.title("Optimization Playground")
st.caption("Pick an optimizer, learning rate, batch size and regularization, press Play, and watch "
           "a real PyTorch network learn: loss curves, decision boundary and metrics, live.")

# The first visitor to a fresh server waits for torch to import; say so instead of a blank page.
with st.spinner("Loading PyTorch…"):
    import gc

    from playground.presets import PRESETS
    from playground.ui import panels, race_view, session, sidebar, upload, views

    # The ~400k objects of torch, sklearn and plotly never die: park them outside the GC's reach
    # so its automatic collections stay cheap during live training.
    gc.freeze()


def main() -> None:
    """Read the config (URL or widgets), sync the run, then draw controls and the live area."""
    cfg, warnings = session.bootstrap()
    session.seed_missing_widgets(cfg)
    st.session_state.setdefault("speed", 60)  # TF Playground runs ~37 epochs/s; a little faster
    st.session_state.setdefault("mode", "Single run")
    racing = st.sidebar.radio("Mode", ["Single run", "Race"], key="mode", horizontal=True,
                              help="Race: 2-4 lanes from the same initial weights and batch order") == "Race"
    cfg = sidebar.config_ui(cfg)
    panels.warnings_banner(warnings)
    dataset, data_key = upload.csv_ui(cfg) if cfg.dataset == "csv" else (None, None)
    if cfg.dataset == "csv" and dataset is None:
        session.remember(cfg)
        st.info("Upload a CSV file in the sidebar: numeric feature columns plus a target column.")
        return
    if racing:
        race, query = race_view.race_page(cfg, dataset, data_key)
        session.remember(cfg, query)
        _notice()
        _tabs(race.trainers[0], query)
        return
    session.remember(cfg)
    trainer = views.sync_run(cfg, dataset, data_key)
    _notice()
    lesson = PRESETS.get(st.session_state.get("preset", ""))
    if lesson and cfg == lesson.config:
        st.caption(f"**Lesson: {lesson.title}.** What to look for: {lesson.look_for}")
    views.transport_ui(trainer)
    views.live_area()
    _tabs(trainer, cfg.to_query())


def _notice() -> None:
    notice = session.pop("notice")
    if notice and notice != "lesson":
        st.toast(notice)


def _tabs(trainer, query: dict[str, str]) -> None:
    theory, evaluation, history, share = st.tabs(["Theory", "Evaluation", "History", "Share"])
    with theory:
        panels.theory_panel(trainer)
    with evaluation:
        panels.evaluation_panel(trainer)
    with history:
        panels.history_panel(trainer)
    with share:
        panels.share_panel(query)


main()
