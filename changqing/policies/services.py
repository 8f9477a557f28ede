"""Writes: a new version of an organisation's policy, from a date; the previous one ends the day before.

Versions never overlap and are not rewritten once in force: the months before the
new version keep the rules they were computed with (a version starting today or later
may still be corrected). Every row is change-logged.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone


from . import kinds
from .models import Policy, PolicyVersion


@transaction.atomic
def policy_version_create(*, kind: str, organization, valid_from: dt.date, values: dict, note: str = "",
                          user=None, valid_to: dt.date | None = None) -> PolicyVersion:
    """Set `values` (already checked by the kind's form) on the organisation from `valid_from`."""
    k = kinds.get(kind)
    if k is None:
        raise ValidationError({"kind": "没有这类规则"})
    if k.branch_only and organization.kind != "branch":
        raise ValidationError({"valid_from": f"「{k.label}」只能由党支部设置"})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": "失效日期不能早于生效日期"})
    policy, _ = Policy.objects.select_for_update().get_or_create(kind=kind, organization=organization)
    latest = policy.versions.order_by("-valid_from").first()
    if latest is not None and valid_from == latest.valid_from >= timezone.localdate():
        # Not in force before today: correcting it rewrites no month already computed.
        latest.values, latest.note, latest.valid_to = values, note, valid_to
        latest.full_clean()
        latest.save()
        return latest
    if latest is not None:
        if valid_from <= latest.valid_from:
            raise ValidationError({"valid_from": f"生效日期须晚于现行版本的生效日期（{latest.valid_from:%Y-%m-%d}）；"
                                                 "已生效的规则不改写，请从以后的日期起设置新版本"})
        if latest.valid_to is None or latest.valid_to >= valid_from:
            latest.valid_to = valid_from - dt.timedelta(days=1)
            latest.save(update_fields=["valid_to", "updated_at"])
    version = PolicyVersion(policy=policy, valid_from=valid_from, valid_to=valid_to, values=values, note=note,
                            created_by=user if getattr(user, "is_authenticated", False) else None)
    version.full_clean()
    version.save()
    return version


def policy_versions_bulk_create(items) -> list[PolicyVersion]:
    """Many first versions at once (the demo): items of (kind, organization, valid_from, values, note).

    One INSERT for the policies, one for the versions (the change-logged QuerySet writes their history in
    bulk, unless the demo loads without history). Each (kind, organization)
    must not have a policy yet.
    """
    items = list(items)
    policies = Policy.objects.bulk_create([Policy(kind=k, organization=o) for k, o, *_ in items])
    versions = PolicyVersion.objects.bulk_create([
        PolicyVersion(policy=p, valid_from=start, values=values, note=note)
        for p, (_, _, start, values, note) in zip(policies, items)])
    return versions
