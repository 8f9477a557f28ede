"""Mask the personal data already kept in clear in the change history (issue 14 §3).

From now on core.changelog stores ID numbers and phone numbers masked, with a keyed
hash beside them; this rewrites the rows written before, the same way. The names are
those of the personal-data fields that existed when it was written.
"""
from django.db import migrations
from django.db.models import Q

ID_FIELDS = ("id_number",)
PHONE_FIELDS = ("phone", "mobile", "family_phone", "contact_phone", "party_contact_phone")


def _protect(data):
    from changqing.core.changelog import DIGESTS, digest
    from changqing.core.idcard import mask, mask_phone

    if not data:
        return data, False
    out, digests, changed = dict(data), dict(data.get(DIGESTS) or {}), False
    for name in (*ID_FIELDS, *PHONE_FIELDS):
        value = out.get(name)
        if not value or name in digests:
            continue
        out[name] = mask(str(value)) if name in ID_FIELDS else mask_phone(str(value))
        digests[name] = digest(value)
        changed = True
    if changed:
        out[DIGESTS] = digests
    return out, changed


def mask_history(apps, schema_editor):
    ObjectChange = apps.get_model("core", "ObjectChange")
    names = [*ID_FIELDS, *PHONE_FIELDS]
    rows = ObjectChange.objects.filter(Q(before__has_any_keys=names) | Q(after__has_any_keys=names)).order_by("pk")
    batch = []
    for change in rows.iterator(chunk_size=2000):
        change.before, before_changed = _protect(change.before)
        change.after, after_changed = _protect(change.after)
        if before_changed or after_changed:
            batch.append(change)
        if len(batch) >= 2000:
            ObjectChange.objects.bulk_update(batch, ["before", "after"])
            batch = []
    if batch:
        ObjectChange.objects.bulk_update(batch, ["before", "after"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_jobs_notifications"),
    ]

    operations = [
        migrations.RunPython(mask_history, migrations.RunPython.noop),
    ]
