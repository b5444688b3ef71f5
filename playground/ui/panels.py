"""Panels below the live area: theory, evaluation charts, history export and the share link."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from playground import plots
from playground.metrics import confusion, roc_points
from playground.optim import REGISTRY
from playground.train import Trainer

REGULARIZATION = (
    ("L2 weight decay", r"L(\theta) + \tfrac{\lambda}{2}\lVert\theta\rVert^2",
     "Penalizes large weights, which smooths the boundary. In Adam it is added to the gradient "
     "(coupled) and so rescaled per weight; AdamW shrinks the weights directly (decoupled)."),
    ("Dropout", r"h' = \frac{m \odot h}{1-p},\quad m_i \sim \mathrm{Bernoulli}(1-p)",
     "Zeroes each hidden unit with probability p while training only, so no unit can rely on "
     "another; at evaluation all units are kept."),
    ("Batch norm", r"\hat h = \gamma\,\frac{h-\mu_B}{\sqrt{\sigma_B^2+\epsilon}} + \beta",
     "Normalizes each hidden unit over the batch while training, and with running averages of "
     "the mean and variance at evaluation; it tolerates larger learning rates."),
)


def escape_md(text: str) -> str:
    """Escape user-supplied text for st.markdown: no HTML, links or emphasis from a URL."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", html.escape(text, quote=False))


def warnings_banner(warnings: list[str]) -> None:
    """One banner listing every URL or config value that was ignored or clamped."""
    if warnings:
        items = "\n".join(f"- {escape_md(w)}" for w in warnings[:12])
        more = f"\n- …and {len(warnings) - 12} more" if len(warnings) > 12 else ""
        st.warning(f"Some settings in the link were ignored:\n{items}{more}")


def theory_panel(trainer: Trainer) -> None:
    """The optimizer's update rule and the regularizers' formulas."""
    spec = REGISTRY[trainer.cfg.optimizer]
    st.markdown(f"**{spec.label}** — {spec.summary}")
    st.latex(r"\begin{gathered}" + spec.latex + r"\end{gathered}")
    st.caption(r"$\eta$ = learning rate, $\lambda$ = weight decay, $g_t$ = gradient of the batch loss.")
    for title, formula, text in REGULARIZATION:
        st.markdown(f"**{title}** — {text}")
        st.latex(formula)


def evaluation_panel(trainer: Trainer) -> None:
    """Confusion matrix and ROC curve, or predicted vs actual, on the validation split."""
    data = trainer.data
    x, y = (data.x_val, data.y_val) if data.has_val else (data.x_train, data.y_train)
    split = "validation" if data.has_val else "training"
    pred = trainer.predict(x)
    if not np.isfinite(pred).all():
        st.info("The model's outputs are not finite (the run diverged), so there is nothing to evaluate.")
        return
    cols = st.columns(2)
    if data.task == "regression":
        actual = y * data.y_std + data.y_mean
        cols[0].plotly_chart(plots.pred_actual_figure(actual, pred), width="stretch")
    else:
        labels = (pred >= 0.5).astype(int) if pred.ndim == 1 else pred.argmax(1)
        cm = confusion(y, labels, data.n_classes)
        cols[0].plotly_chart(plots.confusion_figure(cm, data.class_names), width="stretch")
        if data.task == "binary" and len(np.unique(y)) == 2:
            fpr, tpr = roc_points(y, pred)
            auc = trainer.evaluate()[("val" if data.has_val else "train")]["roc_auc"]
            cols[1].plotly_chart(plots.roc_figure(fpr, tpr, auc), width="stretch")
    st.caption(f"On the {split} split at epoch {trainer.current_epoch}; refreshed when training pauses.")


def history_panel(trainer: Trainer) -> None:
    """The per-epoch history as a table, with CSV and config downloads."""
    frame = trainer.history.to_frame()
    st.dataframe(frame.tail(200), width="stretch", hide_index=True)
    cols = st.columns(2)
    cols[0].download_button("History CSV", frame.to_csv(index=False), "history.csv", "text/csv")
    cols[1].download_button("Config JSON", trainer.cfg.to_json(), "config.json", "application/json")


MAX_CONFIG_BYTES = 64 * 1024


def share_panel(query: dict[str, str]) -> None:
    """The link that reproduces this run (same seed, same curves), and config import."""
    base = (st.context.url or "").split("?")[0]
    st.code(f"{base}?{urlencode(query)}", language=None)
    st.caption("Opening this link restores every control; with the same seed it replays the same curves.")
    st.file_uploader("Import a config (JSON, as downloaded from History)", type=["json"], key="cfg_import",
                     on_change=_import_config)
    problems = st.session_state.get("import_warnings")
    if problems:
        st.warning("Some settings in the imported config were ignored:\n"
                   + "\n".join(f"- {escape_md(p)}" for p in problems))


def _import_config() -> None:
    from playground.config import RunConfig
    from playground.ui import session

    upload = st.session_state.get("cfg_import")
    if upload is None:
        return
    data = upload.getvalue()
    if len(data) > MAX_CONFIG_BYTES:
        st.session_state["import_warnings"] = [f"the file is over {MAX_CONFIG_BYTES // 1024} KB; nothing imported"]
        return
    cfg, problems = RunConfig.from_json(data)
    st.session_state["import_warnings"] = problems
    session.push_config(cfg, reason="imported config")
