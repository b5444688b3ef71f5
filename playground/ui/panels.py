"""Panels below the live area: theory, evaluation charts, history export and the share link."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.catalog import optimizer_rule
from playground.config import RunConfig
from playground.engine.metrics import confusion, roc_points
from playground.engine.train import Trainer
from playground.figures.evaluation import confusion_figure, pred_actual_figure, roc_figure
from playground.lessons import LESSONS
from playground.markup import md
from playground.race_config import RaceConfig
from playground.surfaces.config import SurfaceConfig
from playground.ui import classroom, files, state

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


def warnings_banner(warnings: list[str]) -> None:
    """One banner listing every URL or config value that was ignored or clamped."""
    if warnings:
        items = "\n".join(f"- {md(w)}" for w in warnings[:12])
        more = f"\n- …and {len(warnings) - 12} more" if len(warnings) > 12 else ""
        st.warning(f"Some settings in the link were ignored:\n{items}{more}")


def lesson_caption(current: RunConfig | RaceConfig | SurfaceConfig) -> None:
    """The open lesson's title and what to look for; says so once the settings differ from it."""
    name = state.ui().lesson
    lesson = LESSONS.get(name) if name else None
    kind = "race" if isinstance(current, RaceConfig) else "surfaces" if isinstance(current, SurfaceConfig) else "single"
    if lesson is None or lesson.mode != kind or state.ui().present:  # projector mode: in the lesson's box
        return
    if lesson.race:  # compare what runs: the lanes table spells out settings the lesson leaves implicit
        own = RaceConfig.of(lesson.config, list(lesson.lanes))
        same = own.base == current.base and own.lane_configs() == current.lane_configs()
    else:
        same = (lesson.surface or lesson.config) == current
    modified = "" if same else " *(modified from the lesson)*"
    st.caption(f"**Lesson: {lesson.title}.**{modified} What to look for: {lesson.look_for}")


def theory_panel(trainers: list[Trainer], labels: list[str]) -> None:
    """The update rule that actually runs (per lane in a race) and the regularizers' formulas."""
    shown = set()
    for trainer, label in zip(trainers, labels, strict=True):
        spec = optimizer_rule(trainer.cfg.optimizer, trainer.cfg.nesterov)
        if spec.label in shown:
            continue
        shown.add(spec.label)
        prefix = f"{md(label)}: " if label else ""
        st.markdown(f"{prefix}**{spec.label}** — {spec.summary}")
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
        cols[0].plotly_chart(pred_actual_figure(actual, pred), width="stretch")
    else:
        labels = (pred >= 0.5).astype(int) if pred.ndim == 1 else pred.argmax(1)
        cm = confusion(y, labels, data.n_classes)
        cols[0].plotly_chart(confusion_figure(cm, data.class_names), width="stretch")
        if data.task == "binary" and len(np.unique(y)) == 2:
            fpr, tpr = roc_points(y, trainer.scores(x))  # ranked on logits: probabilities saturate at 1.0
            auc = trainer.evaluate()[("val" if data.has_val else "train")]["roc_auc"]
            cols[1].plotly_chart(roc_figure(fpr, tpr, auc), width="stretch")
    st.caption(f"On the {split} split at epoch {trainer.current_epoch}; refreshed when training pauses.")


def history_panel(trainer: Trainer) -> None:
    """The per-epoch history as a table, with CSV and config downloads."""
    st.dataframe(trainer.history.to_frame().tail(200), width="stretch", hide_index=True)
    cols = st.columns(2)
    files.download_button(cols[0], "History CSV", "history.csv", "text/csv", _history_csv(trainer))
    files.download_button(cols[1], "Config JSON", "config.json", "application/json", trainer.cfg.to_json)


def _history_csv(trainer: Trainer):
    lock, history = trainer.lock, trainer.history  # not the trainer: Streamlit keeps the callable

    def make() -> str:
        with lock:  # runs on a server thread: never mid-epoch, when the columns differ in length
            return history.to_frame().to_csv(index=False)

    return make


MAX_CONFIG_BYTES = 64 * 1024
IMPORT_KEY = "cfg_import"


def share_panel(query: dict[str, str], short: dict[str, str], *, importer: bool = True,
                teacher: dict[str, str] | None = None) -> None:
    """The link that reproduces this run (same seed, same curves), a short form, the teacher's link, config import."""
    st.code(state.page_url(query), language=None)
    st.caption("Opening this link restores every control; with the same seed it replays the same curves.")
    st.code(state.page_url(short), language=None)
    st.caption("The same run as a short link: only the settings that differ from the lesson or the defaults.")
    if teacher is not None:
        classroom.teacher_panel(teacher, {k: v for k, v in teacher.items() if k != "present"})
    if not importer:
        return
    st.file_uploader("Import a config (JSON, as downloaded from History)", type=["json"], key=IMPORT_KEY,
                     on_change=_import_config)
    problems = state.ui().import_warnings
    if problems:
        st.warning("Some settings in the imported config were ignored:\n"
                   + "\n".join(f"- {md(p)}" for p in problems))


def _import_config() -> None:
    upload, ui = state.widget(IMPORT_KEY), state.ui()
    if upload is None:
        return
    data = upload.getvalue()
    if len(data) > MAX_CONFIG_BYTES:
        ui.import_warnings = [f"the file is over {MAX_CONFIG_BYTES // 1024} KB; nothing imported"]
        return
    cfg, problems = RunConfig.from_json(data)
    ui.import_warnings = problems
    state.push_config(cfg, notice="imported config")
