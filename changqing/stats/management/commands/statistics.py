"""python manage.py statistics --date 2018-12-31 [--org CODE] [--format json|text]

The figures of seed 000 篇6 for an organisation's subtree (default: the whole
tree, i.e. every root) as of a date; json also carries the distributions.
A console operator has no scope limit, like the other commands.
"""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from changqing.orgs.models import Organization
from changqing.stats import selectors


class Command(BaseCommand):
    help = "打印离退休干部党建统计（篇6 的统计口径）"

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="截至日期，年-月-日，如 2018-12-31（默认今天）")
        parser.add_argument("--org", default="", help="组织编码（默认全部）")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, date, org, format, **options):
        if date:
            try:
                on = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期“{date}”格式不正确，应为 年-月-日，如 2018-12-31") from None
        else:
            on = timezone.localdate()
        root = None
        if org:
            root = Organization.objects.filter(code=org).first()
            if root is None:
                raise CommandError(f"没有编码为“{org}”的组织")
        figures = selectors.annual_figures(org=root, on=on)
        if format == "json":
            dists = selectors.distributions(org=root, on=on)
            payload = {**figures, "date": on.isoformat(), "org": root.code if root else None,
                       "distributions": {k: {"label": d["label"], "total": d["total"],
                                             "buckets": {b["key"]: b["count"] for b in d["buckets"]}}
                                         for k, d in dists.items()}}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        name = root.name if root else "全部组织"
        self.stdout.write(f"{name} 截至{on.year}年{on.month}月{on.day}日")
        width = max(len(label) for _, label in selectors.FIGURES)
        for key, label in selectors.FIGURES:
            self.stdout.write(f"{label.ljust(width, '　')}  {figures[key]:>8}  ({key})")
