"""Which rubric an organisation is scored with moves to changqing.policies (kinds "evaluation.<rubric kind>"):
a bureau's own rubric applied to its subtree by ownership; it becomes the first version of a policy on the owner,
valid from far back (the newest of the owner's rubrics of a kind, where there were several)."""
import datetime as dt

from django.db import migrations

FAR_PAST = dt.date(1900, 1, 1)


def forwards(apps, schema_editor):
    Rubric = apps.get_model("evaluation", "Rubric")
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    for r in Rubric.objects.filter(owner__isnull=False).order_by("-pk"):
        policy, _ = Policy.objects.get_or_create(kind=f"evaluation.{r.kind}", organization_id=r.owner_id)
        if not PolicyVersion.objects.filter(policy=policy).exists():
            PolicyVersion.objects.create(policy=policy, valid_from=FAR_PAST, values={"rubric": r.pk},
                                         note="由本单位制定的考核细则迁移")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_assessment_returned_reason"),
        ("policies", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
