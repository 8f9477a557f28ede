from django.db import migrations


def forwards(apps, schema_editor):
    from changqing.evaluation.defaults import FIRST_YEAR, RUBRICS

    Rubric = apps.get_model("evaluation", "Rubric")
    RubricVersion = apps.get_model("evaluation", "RubricVersion")
    RubricItem = apps.get_model("evaluation", "RubricItem")
    for code, name, kind, is_default, title, bands, innovation, items in RUBRICS:
        rubric, created = Rubric.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "is_default": is_default, "title": title})
        if not created:
            continue
        version = RubricVersion.objects.create(rubric=rubric, number=1, from_year=FIRST_YEAR, bands=bands,
                                               innovation_required=innovation,
                                               note="随系统提供的默认细则（DOMAIN.md §7）")
        RubricItem.objects.bulk_create([
            RubricItem(version=version, code=c, name=n, order=i, weight=w, source=s, metric=m, related_metric=rm,
                       target=t, is_innovation=inn, guidance=g)
            for i, (c, n, w, s, m, rm, t, inn, g) in enumerate(items, start=1)])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
