"""`manage.py import_roster FILE [--org CODE] [--dry-run] [--format text|json] [--user USERNAME]`.

Checks and imports a roster sheet exactly as the /roster/import/ page does.
Exit status 0 when imported (with --dry-run: when it would import), 1 when
rejected. JSON: {"created": n, "updated": n, "unchanged": n,
"errors": [{"row": excel_row, "column": header, "value": ..., "message": text}]}.
Without --user the command acts for the console operator, with no scope limit.
"""
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from changqing.accounts.models import User
from changqing.core.context import acting_as
from changqing.orgs.models import Organization

from ...reader import SheetError
from ...services import default_org_path, roster_import_file, roster_log_import


class Command(BaseCommand):
    help = "导入离退休干部名册（Excel 或 CSV），全部无误才写入"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", help="默认导入组织的编码（表中没有“所在组织”列时使用）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", help="以该用户的身份和数据范围导入")

    def handle(self, *args, file, org, dry_run, format, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        acting = None
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                raise CommandError(f"没有用户 {user}")
        default_org = None
        if org:
            default_org = Organization.objects.filter(code=org).first()
            if default_org is None:
                raise CommandError(f"没有编码为 {org} 的组织")
        with acting_as(acting):
            try:
                report = roster_import_file(path, path.name, user=acting, default_org=default_org, dry_run=dry_run)
            except SheetError as exc:
                self._fail_file(str(exc), format)
                return
            if report.imported:
                roster_log_import(report, user=acting, name=path.name, org_path=default_org_path(acting, default_org))
        if format == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self._text(report, dry_run)
        if not report.ok:
            sys.exit(1)

    def _fail_file(self, message, format):
        if format == "json":
            self.stdout.write(json.dumps({"created": 0, "updated": 0, "unchanged": 0,
                                          "errors": [{"row": 0, "column": "", "value": "", "message": message}]},
                                         ensure_ascii=False, indent=2))
        else:
            self.stderr.write(f"无法导入：{message}")
        sys.exit(1)

    def _text(self, report, dry_run):
        w = self.stdout.write
        w(f"工作表“{report.sheet}”，表头在第{report.header_row}行，数据 {report.rows} 行")
        if report.ignored:
            w(f"未导入的列：{'、'.join(report.ignored)}")
        if report.ok:
            verb = "检查通过，可以导入" if dry_run else "已导入"
            w(f"{verb}：新增 {report.created} 人，更新 {report.updated} 人，无变化 {report.unchanged} 人")
            return
        w(f"发现 {report.error_count} 处错误，未导入任何数据。请改正后重新导入：")
        for e in report.errors:
            w(f"  第{e['row']}行  {e['column']}  “{e['value']}”  {e['message']}")
        if report.error_count > len(report.errors):
            w(f"  ……另有 {report.error_count - len(report.errors)} 处错误未列出")
