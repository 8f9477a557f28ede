import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from changqing.core.exports import write_xlsx
from changqing.life import engine, selectors
from changqing.orgs.models import Organization


class Command(BaseCommand):
    help = "按组织生活规则计算各支部的完成情况：--period 2025|2025-Q1|2025-03|2025-01..2025-06"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="期间：2025、2025-Q1、2025-03 或 2025-01..2025-06")
        parser.add_argument("--org", help="组织编码（默认：全部顶级组织）")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="输出文件（xlsx 必填；json 默认输出到屏幕）")
        parser.add_argument("--today", help="按哪一天判断是否到期（默认今天），如 2025-12-31")

    def handle(self, *args, period, org, format, output, today, **options):
        try:
            p = engine.parse_period(period)
        except engine.PeriodError as exc:
            raise CommandError(str(exc)) from None
        if today:
            import datetime as dt

            try:
                today = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期「{today}」无效，请写成 2025-12-31") from None
        today = today or timezone.localdate()
        if org:
            roots = list(Organization.objects.filter(code=org))
            if not roots:
                raise CommandError(f"组织编码「{org}」不存在")
        else:
            roots = list(Organization.objects.filter(parent__isnull=True).order_by("path"))
        results = []
        for root in roots:
            results.extend(selectors.compliance_results(root, p, today=today))
        if format == "json":
            text = json.dumps([r.as_row() for r in results], ensure_ascii=False, indent=1)
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
                self.stderr.write(f"已写入 {output}：{len(results)} 行")
            else:
                self.stdout.write(text)
            return
        if not output:
            raise CommandError("xlsx 格式需要用 --output 指定文件名，例如 --output 组织生活2025.xlsx")
        data = write_xlsx(f"组织生活完成情况{p.label}", selectors.COMPLIANCE_HEADERS, map(selectors.compliance_row, results))
        with open(output, "wb") as fh:
            fh.write(data)
        self.stderr.write(f"已写入 {output}：{len(results)} 行")
