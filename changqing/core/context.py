"""Who is acting right now, for the change log and operation log.

A request sets it in RequestContextMiddleware; commands and Celery tasks set it
with `acting_as(user)`. Kept in a ContextVar so threads and tasks don't mix.
"""
from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class ActionContext:
    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ip: str | None = None


_current: ContextVar[ActionContext | None] = ContextVar("changqing_action_context", default=None)


def current() -> ActionContext | None:
    return _current.get()


def current_user():
    ctx = _current.get()
    user = ctx.user if ctx else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


@contextlib.contextmanager
def acting_as(user=None, ip: str | None = None):
    token = _current.set(ActionContext(user=user, ip=ip))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
