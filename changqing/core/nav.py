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

# Menu groups by the app (URL namespace) an entry belongs to, so a secretary sees a
# handful of words, not twenty links.
GROUPS = [
    ("组织", ("orgs",)),
    ("党员", ("members", "roster")),
    ("组织生活", ("life", "appraisal")),
    ("党费", ("dues",)),
    ("关怀服务", ("care", "lifeevents")),
    ("两新指导站", ("guidance",)),
    ("诚信审计", ("audit",)),
    ("考核评价", ("evaluation", "honours")),
    ("统计报表", ("stats", "dashboards", "reports", "upward", "completeness")),
    ("系统", ("core", "accounts", "policies")),
]


def register(*items: NavItem):
    _items.extend(items)
    _items.sort(key=lambda i: i.order)


def items_for(user) -> list[dict]:
    from changqing.core.scope import scope_for

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


def groups_for(user, current: str = "") -> list[dict]:
    """The user's menu: the home link first, then one group per app area; a group of one is a plain link."""
    items = items_for(user)
    out = [{"label": i["label"], "items": [i], "active": i["url_name"] == current}
           for i in items if i["url_name"] == "core:home"]
    current_ns = current.split(":")[0]
    for label, namespaces in GROUPS:
        members = [i for i in items if i["url_name"] != "core:home" and i["url_name"].split(":")[0] in namespaces]
        if members:
            active = any(i["url_name"].split(":")[0] == current_ns for i in members)
            out.append({"label": label, "items": members, "active": active})
    known = {ns for _, namespaces in GROUPS for ns in namespaces}
    others = [i for i in items if i["url_name"].split(":")[0] not in known]
    if others:
        out.append({"label": "其他", "items": others, "active": False})
    return out
