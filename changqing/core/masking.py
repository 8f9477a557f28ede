"""Masking that cannot be undone: who may see a person's full ID number, and what else that decides.

A masked ID number keeps the region code and the last four characters
(core.idcard.mask); what it hides is the birth date. So wherever a role may not
reveal the ID number (the "unmask" action of core.roles), nothing that gives the
birth date back may be served beside it either: no birth date, no exact age, no
age filter or sort that confirms it. Those roles see a coarse age band instead
(`age_band`), which is what care work needs ("80岁以上"), and the retirement date
as a year (it falls in the month after a statutory birthday).

`Reveal(user)` answers "may this user reveal this person?" for a whole page
from one resolved scope (no query per row). List columns name the value a
role without reveal gets (`Column(masked=...)` in core.lists).
"""
from __future__ import annotations

import datetime as dt
from functools import cached_property

from .scope import ScopeSpec, org_path_of, scope_for

# (lowest age, label); the bands the statistics use, so a band here matches a bucket there.
AGE_BANDS = ((90, "90岁及以上"), (80, "80—89岁"), (70, "70—79岁"), (60, "60—69岁"), (0, "60岁以下"))
AGE_BAND_CHOICES = [(str(low), label) for low, label in reversed(AGE_BANDS)]

HIDDEN = "（无权查看）"


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_band(birth: dt.date | None, on: dt.date) -> str:
    """The ten-year band of a person's age on a day: all a role that may not see the ID number is told."""
    if birth is None:
        return ""
    age = age_on(birth, on)
    return next(label for low, label in AGE_BANDS if age >= low)


def band_bounds(low: int) -> tuple[int, int | None]:
    """The ages (inclusive) of the band starting at `low`; None = no upper bound."""
    lows = sorted(b for b, _ in AGE_BANDS)
    if low not in lows:
        raise ValueError(low)
    i = lows.index(low)
    return low, (lows[i + 1] - 1 if i + 1 < len(lows) else None)


class Reveal:
    """What one user may reveal, resolved once per request."""

    def __init__(self, user):
        self.user = user
        self.scope = scope_for(user, "unmask")

    @cached_property
    def everywhere(self) -> bool:
        """Every person the user may view is one they may reveal (so exact ages may be filtered and sorted)."""
        if self.scope.empty:
            return False
        if self.scope.everything:
            return True
        view = scope_for(self.user, "view")
        if view.everything:
            return False
        return (all(self.scope.covers_path(p) for p in view.org_paths)
                and view.retiree_ids <= self.scope.retiree_ids
                and not view.zone_ids)

    def may_at(self, org_path: str | None, retiree_id: int | None) -> bool:
        """May the user reveal the person of this organisation path and retiree id (rows read as values)?"""
        if self.scope.everything:
            return True
        return bool(org_path and self.scope.covers_path(org_path)) or (retiree_id in self.scope.retiree_ids)

    def may(self, obj) -> bool:
        """May the user reveal the person this record is about (a Retiree, or a record with a retiree)?"""
        if self.scope.empty:
            return False
        if self.scope.everything:
            return True
        path = org_path_of(obj)
        if path and self.scope.covers_path(path):
            return True
        spec: ScopeSpec | None = getattr(type(obj), "scope_spec", None)
        if spec is not None and spec.retiree is not None and self.scope.retiree_ids:
            retiree_id = obj.pk if spec.retiree == "" else _attr_path(obj, spec.retiree + "_id")
            return retiree_id in self.scope.retiree_ids
        return False


def _attr_path(obj, lookup: str):
    target = obj
    for part in lookup.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def band_of(person) -> str:
    """A person's age band today (the `masked` value of a birth-date column)."""
    from django.utils import timezone

    return age_band(person.birth_date, timezone.localdate())


def retired_year(person) -> str:
    """The year of retirement only: retirement starts the month after a statutory birthday (60, 55…),
    so the full date gives back the birth month the mask hides."""
    return f"{person.retired_on.year}年" if person.retired_on else ""


def retired_column_kwargs() -> dict:
    return {"masked": retired_year, "masked_label": "离退休年份"}


def birth_column_kwargs() -> dict:
    """Column(..., **birth_column_kwargs()) for a birth-date column: a band for whoever may not reveal."""
    return {"masked": band_of, "masked_label": "年龄段"}
