"""Navigation by role: each app registers its menu entries here."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str = "view"  # the capability the user needs somewhere in their scope
    roles: frozenset[str] | None = None  # limit to these roles (None = any role with the action)
    order: int = 100


_items: list[NavItem] = []


def register(*items: NavItem):
    _items.extend(items)
    _items.sort(key=lambda i: i.order)


def items_for(user) -> list[dict]:
    from changqing.accounts.scope import scope_for

    if not getattr(user, "is_authenticated", False):
        return []
    roles = {a.role for a in user.role_assignments.all()} if not user.is_superuser else None
    result = []
    for item in _items:
        if roles is not None and item.roles is not None and not (roles & item.roles):
            continue
        if scope_for(user, item.action).empty:
            continue
        result.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
    return result
