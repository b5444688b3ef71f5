"""The plane under a model's decision boundary: a grid built once per dataset, evaluated every frame.

Grids are stored row-major with row = y index and column = x index, the order plotly's heatmap
`z` uses, and image rows are written so that row 0 is the lowest y (the trace sets y0/dy to match).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.decomposition import PCA

from playground.engine.data import Dataset
from playground.figures.codec import encode_grid, float_list
from playground.figures.palette import class_image, png_data_url

PAD = 0.10  # fraction of the data's span added on each side, so edge points are not on the border
CURVE_FACTOR = 3  # a 1-D curve is cheap, so it gets 3x the points of one grid axis


def _padded(lo: float, hi: float) -> tuple[float, float]:
    span = hi - lo
    if not np.isfinite(span) or span <= 0:
        return lo - 1.0, hi + 1.0  # one distinct value: still give the plane some width
    return lo - PAD * span, hi + PAD * span


def target_range(data: Dataset) -> tuple[float, float]:
    """Colour range for regression: training targets in original units, padded."""
    y = data.y_train.astype(np.float64) * data.y_std + data.y_mean
    return _padded(float(y.min()), float(y.max())) if len(y) else (0.0, 1.0)


class Boundary:
    """Grid over the input plane where the model's output is drawn, built once per dataset."""

    def __init__(self, data: Dataset, resolution: int = 80):
        if resolution < 2:
            raise ValueError(f"resolution must be at least 2, got {resolution}")
        self.resolution = int(resolution)
        self.discrete = False  # the visitor's "discretize output": frames show classes, not probabilities
        self.task = data.task
        self.n_classes = data.n_classes
        self.n_features = data.n_features
        self.projected = self.n_features > 2
        self.explained: tuple[float, float] | None = None
        self._pca: PCA | None = None
        if self.n_features == 1:
            self.kind = "curve"
        else:
            self.kind = "classes" if self.task == "multiclass" else "heatmap"
        # Probabilities live in [0, 1]; regression uses one fixed range so frames share a colour scale.
        self.zrange = target_range(data) if self.task == "regression" else (0.0, 1.0)
        if self.projected:
            # Fit on training features only: validation data must not shape what the learner sees.
            self._pca = PCA(n_components=2, random_state=0).fit(data.x_train)
            ratio = self._pca.explained_variance_ratio_
            self.explained = (float(ratio[0]), float(ratio[1]))
        plane = self.project(np.concatenate([data.x_train, data.x_val]))
        self.points = self._build(plane)

    def _build(self, plane: np.ndarray) -> torch.Tensor:
        """Axis coordinates and the grid points in model input space."""
        axes = [np.linspace(*_padded(float(c.min()), float(c.max())), self._axis_len()) for c in plane.T]
        self.xs = axes[0].astype(np.float32)
        self.ys = axes[1].astype(np.float32) if len(axes) > 1 else None
        if self.kind == "curve":
            grid = self.xs[:, None]
        else:
            gx, gy = np.meshgrid(self.xs, self.ys)  # (res, res), rows follow y, columns follow x
            grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
            if self._pca is not None:
                grid = self._pca.inverse_transform(grid)  # back to all n_features for the model
        return torch.as_tensor(np.ascontiguousarray(grid, dtype=np.float32))

    def _axis_len(self) -> int:
        return self.resolution * CURVE_FACTOR if self.n_features == 1 else self.resolution

    @property
    def label(self) -> str:
        """'PCA projection (xx% of variance)' for projected data, else ''; keep it in frame titles."""
        if not self.explained:
            return ""
        return f"PCA projection ({sum(self.explained):.0%} of variance)"

    def project(self, x: np.ndarray) -> np.ndarray:
        """Model-space points -> plane coordinates (identity for 1-D and 2-D data)."""
        x = np.asarray(x, dtype=np.float32)
        if self._pca is None:
            return x
        if not len(x):
            return np.zeros((0, 2), dtype=np.float32)
        return self._pca.transform(x).astype(np.float32)

    def values(self, trainer) -> np.ndarray:
        """Grid predictions: (res, res) heatmap, (res, res, k) class probabilities, or (m,) curve."""
        pred = np.asarray(trainer.predict(self.points), dtype=np.float32)
        if self.kind == "curve":
            # A 1-D classifier draws P(class 1), or the predicted class id for several classes.
            return pred.argmax(axis=1).astype(np.float32) if pred.ndim == 2 else pred
        if self.kind == "classes":
            return pred.reshape(self.resolution, self.resolution, -1)
        return pred.reshape(self.resolution, self.resolution)

    def patch(self, values: np.ndarray, trace: int = 0) -> dict:
        """Compact frame patch for the live component (applied to `trace` with Plotly.restyle)."""
        values = np.asarray(values)
        if self.kind == "heatmap":
            return {"trace": trace, "z": encode_grid(values, *self.zrange)}
        if self.kind == "classes":
            return {"trace": trace, "source": png_data_url(class_image(values, solid=self.discrete))}
        if self.discrete and self.task == "binary":
            values = np.round(values)  # P(class 1) -> the predicted class, 0 or 1
        return {"trace": trace, "x": float_list(self.xs), "y": float_list(values)}
