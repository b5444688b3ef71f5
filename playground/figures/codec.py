"""The wire codec of the live chart: quantized grids and JSON-safe float lists."""

from __future__ import annotations

import base64

import numpy as np


def encode_grid(z: np.ndarray, lo: float, hi: float) -> dict:
    """Quantize a 2-D float grid to uint8 and base64 it: {"b64": str, "shape": [h, w], "lo": lo, "hi": hi}."""
    z = np.asarray(z)
    if z.ndim != 2:
        raise ValueError(f"encode_grid needs a 2-D grid, got shape {z.shape}")
    return encode_grids(z[None], lo, hi)[0]


def encode_grids(z: np.ndarray, lo: float, hi: float) -> list[dict]:
    """encode_grid for each grid of a (k, h, w) stack on one shared range, quantized in one pass."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 3:
        raise ValueError(f"encode_grids needs a stack of 2-D grids, got shape {z.shape}")
    lo, hi = float(lo), float(hi)
    span = hi - lo if hi > lo else 1.0  # a flat range still encodes (as all zeros)
    # NaN (a diverged model) draws as the low end instead of breaking the whole frame.
    q = np.clip(np.rint((np.nan_to_num(z, nan=lo) - lo) / span * 255.0), 0, 255).astype(np.uint8)
    shape = list(q.shape[1:])
    return [{"b64": base64.b64encode(g.tobytes()).decode("ascii"), "shape": shape, "lo": lo, "hi": hi} for g in q]


def decode_grid(enc: dict) -> np.ndarray:
    """Inverse of encode_grid, to within one quantization step (mirrors the JS decoder)."""
    q = np.frombuffer(base64.b64decode(enc["b64"]), dtype=np.uint8).reshape(enc["shape"])
    return enc["lo"] + q.astype(np.float64) / 255.0 * (enc["hi"] - enc["lo"])



def float_list(a: np.ndarray) -> list:
    """Floats at float32 precision in their shortest form, with NaN/inf as None (JSON-safe)."""
    a = np.asarray(a, dtype=np.float32)
    # numpy prints each float32 as the shortest decimal that round-trips, e.g. 0.1 not 0.10000000149.
    out = [float(s) for s in np.where(np.isfinite(a), a, 0).astype(str).ravel()]
    if not np.isfinite(a).all():
        out = [v if ok else None for v, ok in zip(out, np.isfinite(a).ravel(), strict=True)]
    return np.array(out, dtype=object).reshape(a.shape).tolist() if a.ndim > 1 else out
