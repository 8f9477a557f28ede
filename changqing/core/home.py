"""Home-page panels: each app registers what a user should see first."""
from __future__ import annotations

from typing import Callable

# Each panel is a function(request) -> dict | None with "title", "template"
# (or "items": [{"label", "value", "url"}]) and an "order".
_panels: list[Callable] = []


def register_panel(func: Callable) -> Callable:
    _panels.append(func)
    return func


def panels_for(request) -> list[dict]:
    result = [p for p in (panel(request) for panel in _panels) if p]
    return sorted(result, key=lambda p: p.get("order", 100))
