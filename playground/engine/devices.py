"""Where a run computes: the device chosen once per run and passed explicitly; thread settings."""

from __future__ import annotations

import torch


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when present; an unavailable or unknown device falls back to the CPU (never raises)."""
    name = str(name).strip().lower()
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name) if available(name) else torch.device("cpu")


def available(name: str) -> bool:
    """Whether torch can compute on the named device here ('cpu', 'cuda', 'cuda:N', 'mps')."""
    kind, colon, index = str(name).strip().lower().partition(":")
    if colon and not index.isdigit():
        return False
    if kind == "cpu":
        return True
    if kind == "cuda":
        return torch.cuda.is_available() and (not index or int(index) < torch.cuda.device_count())
    if kind == "mps":
        return not index and bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    return False


def fallback_notice(name: str) -> str | None:
    """A plain notice when the named device is unavailable and the CPU is used instead."""
    name = str(name).strip().lower()
    if name == "auto" or available(name):
        return None
    return f"device '{name}' is not available on this server; training on the CPU instead"


def use_one_thread() -> None:
    """Tiny networks run fastest on one thread; more threads only contend (30x slower measured with
    2 threads on a busy 2-core machine). Called by the app and the CLI, not at import: a library
    import must not change a process-wide setting (Ray workers, GPU paths)."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
