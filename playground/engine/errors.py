"""Plain-words explanations for training failures a learner can cause."""

from __future__ import annotations

# PyTorch's wording for failures a learner can cause, and what to tell them instead.
_REASONS = (
    ("Expected more than 1 value per channel", "batch norm needs at least 2 samples in every batch; "
     "use more data, a larger batch, or turn batch norm off"),
    ("out of memory", "the device ran out of memory; use fewer points or a smaller network"),
)


def plain_reason(exc: Exception) -> str:
    """A short, plain explanation of a training failure (no tensor shapes or framework names)."""
    text = str(exc)
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return f"the computation failed ({type(exc).__name__}); try other settings or Reset"
