"""The dues rules move to changqing.policies: each DuesPolicy row becomes the first version of a "dues" policy on
its organisation, valid from far back (it was in force for every month computed so far); its quarterly consent
becomes a "dues.quarterly" policy, and warning months other than 3,5,6 a "warning_months" policy. Then the
table goes: a dues policy has versions now, so a later bracket change leaves past months as they were."""
import datetime as dt

from django.db import migrations

FAR_PAST = dt.date(1900, 1, 1)
NOTE = "由原党费规则迁移"


def _first_version(Policy, PolicyVersion, kind, org_id, values):
    policy, _ = Policy.objects.get_or_create(kind=kind, organization_id=org_id)
    if not PolicyVersion.objects.filter(policy=policy).exists():
        PolicyVersion.objects.create(policy=policy, valid_from=FAR_PAST, values=values, note=NOTE)


def forwards(apps, schema_editor):
    DuesPolicy = apps.get_model("dues", "DuesPolicy")
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for p in DuesPolicy.objects.all():
        _first_version(Policy, PolicyVersion, "dues", p.organization_id, {
            "working_brackets": p.working_brackets, "retiree_brackets": p.retiree_brackets,
            "farmer_amount": str(p.farmer_amount), "student_amount": str(p.student_amount),
            "pension_basis": p.pension_basis, "rounding": p.rounding, "assessment": p.assessment,
            "advance_max_months": p.advance_max_months, "backpay_max_months": p.backpay_max_months,
            "large_payment_threshold": str(p.large_payment_threshold)})
        if p.quarterly_allowed:
            _first_version(Policy, PolicyVersion, "dues.quarterly", p.organization_id, {"allowed": True})
        months = sorted(int(m) for m in p.warning_months)
        if months != [3, 5, 6]:
            _first_version(Policy, PolicyVersion, "warning_months", p.organization_id, {"months": months})


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0001_initial"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="DuesPolicy"),
    ]
