"""Components-v1 declarations: one per name, declared again when a new runtime has lost it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit.components.v1 as components
from streamlit import runtime

_declared: dict[str, Any] = {}


def declared(name: str, path: Path) -> Any:
    """The component `name` served from `path` (declare_component only registers inside a script run)."""
    current = _declared.get(name)
    registry = runtime.get_instance().component_registry if runtime.exists() else None
    if current is None or (registry and registry.get_component_path(current.name) is None):
        current = _declared[name] = components.declare_component(name, path=str(path))
    return current
