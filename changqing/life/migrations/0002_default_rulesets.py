import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    from changqing.life.defaults import MEETING_KINDS, RULESETS

    MeetingKind = apps.get_model("life", "MeetingKind")
    Ruleset = apps.get_model("life", "Ruleset")
    RulesetVersion = apps.get_model("life", "RulesetVersion")
    Rule = apps.get_model("life", "Rule")
    kinds = {}
    for code, name, order, org_life, votes in MEETING_KINDS:
        kinds[code], _ = MeetingKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "counts_as_org_life": org_life, "has_votes": votes})
    for code, name, fallback, rules in RULESETS:
        ruleset, created = Ruleset.objects.get_or_create(code=code, defaults={"name": name, "is_fallback": fallback})
        if not created:
            continue
        version = RulesetVersion.objects.create(ruleset=ruleset, number=1, effective_from=dt.date(2018, 10, 1),
                                                note="随系统提供的默认规则（DOMAIN.md §4）")
        Rule.objects.bulk_create([Rule(version=version, kind=kinds[k], count=n, period=p, per_member=pm)
                                  for k, n, p, pm in rules])


class Migration(migrations.Migration):
    dependencies = [("life", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
