"""Each domain app extends the demo with its own records.

An app that has a `demo.py` with `extend(ctx: DemoContext)` is called after the
organisations and people exist, in the order of DEMO_APPS. Each gets its own
random stream derived from the seed, so adding one app's records does not
change another's.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from django.apps import apps

from changqing.orgs.models import Organization

DEMO_APPS = ["orgs", "members", "life", "appraisal", "dues", "care", "guidance", "roster", "evaluation", "honours",
             "audit", "lifeevents"]


@dataclass
class DemoContext:
    scale: str  # county | city | province
    seed: int
    root: Organization
    today: dt.date
    log_history: bool
    progress: Callable[[str], None]
    rng: random.Random | None = None


def _demo_modules():
    for app in DEMO_APPS:
        try:
            yield app, import_module(f"changqing.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"changqing.{app}.demo":
                raise


def extra_demo_users(scale: str, seed: int, root: Organization, today: dt.date) -> list[dict]:
    """Apps may add demo logins of their own (e.g. a station chief) with `demo_users(ctx)`.

    Called after the core demo users exist, so an app may also give them extra roles.
    """
    users = []
    for app, module in _demo_modules():
        if hasattr(module, "demo_users"):
            ctx = DemoContext(scale=scale, seed=seed, root=root, today=today, log_history=False,
                              progress=lambda m: None, rng=random.Random(f"{seed}:{app}:users"))
            users.extend(module.demo_users(ctx))
    return users


def run_extenders(scale: str, seed: int, root: Organization, today: dt.date, log_history: bool,
                  progress: Callable[[str], None]) -> list[str]:
    ran = []
    for app, module in _demo_modules():
        if not hasattr(module, "extend"):
            continue
        ctx = DemoContext(scale=scale, seed=seed, root=root, today=today, log_history=log_history,
                          progress=progress, rng=random.Random(f"{seed}:{app}"))
        started = time.perf_counter()
        module.extend(ctx)
        progress(f"{_label(app)} … {time.perf_counter() - started:.1f} 秒")
        ran.append(app)
    return ran


def _label(app: str) -> str:
    """The app's Chinese name (its AppConfig.verbose_name) for the progress output."""
    try:
        return str(apps.get_app_config(app).verbose_name)
    except LookupError:
        return app
