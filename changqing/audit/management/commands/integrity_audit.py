"""python manage.py integrity_audit --period 2025 [--org CODE] --format json"""
import json

from django.core.management.base import BaseCommand, CommandError

from changqing.audit.services import findings_store, run_integrity_audit
from changqing.orgs.models import Organization


class Command(BaseCommand):
    help = "诚信审计：检查某年度、某党组织及其下级的记录，找出事后补录、突击补录、雷同记录、不可能的出席、选举矛盾、重复照片。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="审计年度，例如 2025")
        parser.add_argument("--org", help="党组织编码（审计该组织及其全部下级），默认全部")
        parser.add_argument("--format", choices=["json", "text"], default="text", help="输出格式：json 或 text")
        parser.add_argument("--no-save", action="store_true", help="只输出，不保存为审计发现")

    def handle(self, *args, period, org=None, format="text", no_save=False, **options):
        try:
            year = int(period)
        except ValueError:
            raise CommandError(f"年度「{period}」不对，应为四位数字，例如 2025") from None
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度「{period}」超出范围（2000–2100）")
        if org:
            roots = list(Organization.objects.filter(code=org))
            if not roots:
                raise CommandError(f"没有编码为「{org}」的党组织")
        else:
            roots = list(Organization.objects.filter(parent__isnull=True).order_by("path"))
        hits = []
        for root in roots:
            hits.extend(run_integrity_audit(root=root, year=year))
        codes = dict(Organization.objects.filter(pk__in={h.org_id for h in hits}).values_list("id", "code"))
        if not no_save:
            stats = findings_store(hits=hits, year=year)
        if format == "json":
            out = [{"kind": h.kind, "branch_code": codes[h.org_id], "record_ids": h.record_ids, "score": h.score,
                    "evidence": h.evidence} for h in hits]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        else:
            by_kind = {}
            for h in hits:
                by_kind[h.kind] = by_kind.get(h.kind, 0) + 1
            self.stdout.write(f"{year}年度审计完成，共发现 {len(hits)} 条：" +
                              "，".join(f"{k} {n} 条" for k, n in sorted(by_kind.items())))
            if not no_save:
                self.stdout.write(f"新增 {stats['new']} 条，证据变化 {stats['changed']} 条，重新打开 {stats['reopened']} 条。")
