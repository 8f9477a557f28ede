"""Which ruleset an organisation follows moves to changqing.policies (kind "life.ruleset"): each assignment becomes
the first version of a policy on its organisation, valid from far back, with its reason as the note. A ruleset
version's warning months other than 3,5,6 become a "warning_months" policy on the organisations that followed it
(the kind of its own that dues shares). Then the assignment table and the field go."""
import datetime as dt

from django.db import migrations

FAR_PAST = dt.date(1900, 1, 1)


def _first_version(Policy, PolicyVersion, kind, org_id, values, note):
    policy, _ = Policy.objects.get_or_create(kind=kind, organization_id=org_id)
    if not PolicyVersion.objects.filter(policy=policy).exists():
        PolicyVersion.objects.create(policy=policy, valid_from=FAR_PAST, values=values, note=note,
                                     created_by_id=None)


def forwards(apps, schema_editor):
    RulesetAssignment = apps.get_model("life", "RulesetAssignment")
    RulesetVersion = apps.get_model("life", "RulesetVersion")
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for a in RulesetAssignment.objects.all():
        _first_version(Policy, PolicyVersion, "life.ruleset", a.organization_id, {"ruleset": a.ruleset_id},
                       a.reason or "由原规则指定迁移")
        latest = RulesetVersion.objects.filter(ruleset_id=a.ruleset_id).order_by("-number").first()
        if latest is not None:
            months = sorted(int(x) for x in latest.warn_months.replace("，", ",").split(",") if x.strip())
            if months and months != [3, 5, 6]:
                _first_version(Policy, PolicyVersion, "warning_months", a.organization_id, {"months": months},
                               "由原组织生活规则的预警月数迁移")


class Migration(migrations.Migration):
    dependencies = [
        ("life", "0002_default_rulesets"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rulesetversion", name="warn_months"),
        migrations.DeleteModel(name="RulesetAssignment"),
    ]
