"""`python -m playground report`: the README's quoted numbers, made by one command.

For each dataset the app's default run (early stopping, best weights restored) is scored on its
validation split next to sklearn's linear model and MLP fitted on the very same standardized
training split; then the overfitting race (`race --compare regularization`) is run to its end.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor

from playground.config import RunConfig
from playground.engine import metrics as M
from playground.engine.data import Dataset
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.lessons import COMPARISONS
from playground.race_config import RaceConfig

DATASETS = ("moons", "circles", "spiral", "breast_cancer", "wine", "diabetes")
SHOWN = {"binary": ("accuracy", "f1", "roc_auc"), "multiclass": ("accuracy", "f1", "roc_auc"),
         "regression": ("rmse", "r2")}
LABELS = {"accuracy": "accuracy", "f1": "F1", "roc_auc": "ROC-AUC", "rmse": "RMSE", "r2": "R²"}
MLP_MAX_ITER = 2000  # sklearn's 200 stops most of these before its own tolerance does


@dataclass(frozen=True)
class Scored:
    """One model's validation metrics on one dataset."""

    dataset: str
    task: str
    model: str
    metrics: dict[str, float]
    note: str = ""


def baselines(data: Dataset, cfg: RunConfig) -> dict:
    """sklearn's linear model and an MLP of the app's hidden sizes, each with sklearn's defaults."""
    mlp = {"hidden_layer_sizes": cfg.hidden, "max_iter": MLP_MAX_ITER, "random_state": cfg.seed}
    if data.task == "regression":
        return {"Ridge": Ridge(), "MLPRegressor": MLPRegressor(**mlp)}
    return {"LogisticRegression": LogisticRegression(max_iter=MLP_MAX_ITER), "MLPClassifier": MLPClassifier(**mlp)}


def score_baseline(model, data: Dataset) -> dict[str, float]:
    """Fit on the training split; the app's metric definitions on the validation split."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported by the score, not by a warning
        model.fit(data.x_train, data.y_train)
    if data.task == "regression":
        pred = model.predict(data.x_val) * data.y_std + data.y_mean
        return M.regression_metrics(data.y_val * data.y_std + data.y_mean, pred)
    proba = model.predict_proba(data.x_val)
    return M.classification_metrics(data.y_val, proba[:, 1] if data.task == "binary" else proba)


def score_dataset(cfg: RunConfig) -> list[Scored]:
    """The app's run of cfg and both sklearn baselines on the same split."""
    trainer = Trainer(cfg)
    trainer.run()
    note = f"{trainer.status.value} at epoch {trainer.current_epoch}"
    if trainer.best_epoch and trainer.status.value == "stopped early":
        note += f", best epoch {trainer.best_epoch} restored"
    rows = [Scored(cfg.dataset, trainer.data.task, "this app", trainer.evaluate()["val"], note)]
    rows += [Scored(cfg.dataset, trainer.data.task, name, score_baseline(model, trainer.data))
             for name, model in baselines(trainer.data, cfg).items()]
    return rows


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def fmt(value: float) -> str:
    """Three decimals, or the leaderboard's 4 significant digits for tiny and large values."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3f}" if 0.001 <= abs(value) < 1000 else f"{value:.3g}"


def metrics_tables(scored: list[Scored]) -> str:
    """One table per kind of task: classification, then regression."""
    out = []
    for kinds in (("binary", "multiclass"), ("regression",)):
        names = [s for s in scored if s.task in kinds]
        if not names:
            continue
        shown = SHOWN[kinds[0]]
        rows = [[s.dataset, s.model, *(fmt(s.metrics[m]) for m in shown), s.note] for s in names]
        out.append(markdown(["dataset", "model", *(f"validation {LABELS[m]}" for m in shown), "run"], rows))
    return "\n\n".join(out)


def overfitting_table(epochs: int | None = None) -> str:
    """`race --compare regularization` run to its end: the README's overfitting table."""
    comparison = COMPARISONS["regularization"]
    base = comparison.base if epochs is None else comparison.base.replace(epochs=epochs)
    race = Race(RaceConfig.of(base, [dict(lane) for lane in comparison.lanes]))
    race.run()
    board = race.leaderboard()
    rows = [[lane, fmt(r["train loss"]), fmt(r["val loss"]), fmt(r["val accuracy"]), str(r["best epoch"])]
            for lane, r in board.iterrows()]
    return markdown(["lane", "train loss", "validation loss", "validation accuracy", "best epoch"], rows)


def report(datasets: tuple[str, ...] = DATASETS, *, seed: int = 0, epochs: int | None = None,
           race_epochs: int | None = None) -> str:
    """The whole report as markdown; epochs / race_epochs shorten it (for a quick check)."""
    scored = []
    for name in datasets:
        cfg = RunConfig(dataset=name, seed=seed)
        scored += score_dataset(cfg if epochs is None else cfg.replace(epochs=epochs))
    limit = RunConfig().epochs if epochs is None else epochs
    intro = (f"Validation metrics, seed {seed}: this app's default settings ({_defaults()}, at most {limit} "
             f"epochs) against sklearn's defaults (max_iter {MLP_MAX_ITER}) fitted on the same standardized "
             "training split. The app's early stopping watches this same validation split, which flatters it "
             "a little; sklearn's MLPs stop on their training loss.")
    shorter = "" if race_epochs is None else f" epochs={race_epochs}"
    race = (f"Overfitting: `python -m playground race --compare regularization{shorter}`, "
            f"seed {COMPARISONS['regularization'].base.seed}.")
    return "\n\n".join([intro, metrics_tables(scored), race, overfitting_table(race_epochs)])


def _defaults() -> str:
    d = RunConfig()
    stopping = f"early stopping after {d.patience} epochs without improvement" if d.patience else "no early stopping"
    return (f"{'-'.join(map(str, d.hidden))} {d.activation}, {d.optimizer} lr {d.lr:g}, batch {d.batch_size}, "
            f"{stopping}{', best weights restored' if d.restore_best and d.patience else ''}")
