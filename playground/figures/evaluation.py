"""Evaluation figures: confusion matrix, ROC curve, predicted vs actual."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.figures.style import base_layout
from playground.markup import plotly


def confusion_figure(cm: np.ndarray, class_names) -> go.Figure:
    """Annotated confusion matrix: rows are the true class, columns the predicted class."""
    cm = np.asarray(cm)
    names = [plotly(c) for c in class_names] or [str(i) for i in range(len(cm))]
    fig = go.Figure(go.Heatmap(z=cm.astype(np.int32), x=names, y=names, colorscale="Blues", showscale=False,
                               texttemplate="%{z}",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    base_layout(fig, "confusion matrix", "confusion")
    fig.update_layout(legend=None)
    fig.update_xaxes(title="predicted class", type="category", side="bottom")
    # Matrix convention: the first true class is the top row.
    fig.update_yaxes(title="true class", type="category", autorange="reversed", scaleanchor="x")
    return fig


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc: float) -> go.Figure:
    """ROC curve with the chance diagonal (a classifier that guesses)."""
    auc_text = f"{auc:.3f}" if auc is not None and math.isfinite(auc) else "n/a"
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash", "color": "#999"}),
        go.Scatter(x=np.asarray(fpr, dtype=np.float32), y=np.asarray(tpr, dtype=np.float32), mode="lines",
                   name=f"model (AUC {auc_text})", line={"color": "#1f77b4", "width": 2.5}),
    ])
    base_layout(fig, f"ROC curve · AUC {auc_text}", "roc")
    fig.update_xaxes(title="false positive rate", range=[0, 1], constrain="domain")
    fig.update_yaxes(title="true positive rate", range=[0, 1.01], scaleanchor="x", constrain="domain")
    return fig


def pred_actual_figure(y_true: np.ndarray, y_pred: np.ndarray) -> go.Figure:
    """Predicted vs actual targets; points on the y = x line are perfect predictions."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    ok = np.isfinite(y_true) & np.isfinite(y_pred)
    both = np.concatenate([y_true[ok], y_pred[ok]])
    lo, hi = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
    fig = go.Figure([
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x",
                   line={"dash": "dash", "color": "#999"}),
        go.Scatter(x=y_true[ok].astype(np.float32), y=y_pred[ok].astype(np.float32), mode="markers",
                   name="points", marker={"size": 6, "color": "#1f77b4", "opacity": 0.7}),
    ])
    base_layout(fig, "predicted vs actual", "pred_actual")
    fig.update_xaxes(title="actual")
    fig.update_yaxes(title="predicted", scaleanchor="x")
    return fig
