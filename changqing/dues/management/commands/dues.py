"""`manage.py dues --month 2025-03 [--org CODE] --format json|xlsx`: one row per member.

JSON rows: {"member_id", "name", "branch_code", "category", "base", "rate", "amount_due", "paid",
"arrears_months"}. Money and rates are Decimal values written as strings ("25.00", "0.005") so no
precision is lost; base and rate are null for fixed-amount categories (farmer, student) and for a
member without a recorded base; "paid" is what was paid for that month ("0.00" if nothing).
arrears_months counts consecutive unpaid months up to and including --month.

The rows are the month's roll (selectors.month_roll): everyone who owed that month, including members who
have since died, transferred out or left, each under the branch that held them that month.
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from changqing.core.exports import write_xlsx
from changqing.orgs.models import Organization

from ... import rules
from ...selectors import month_roll, month_roll_rows

HEADERS = ["member_id", "name", "branch_code", "category", "base", "rate", "amount_due", "paid", "arrears_months"]
HEADERS_ZH = ["党员编号", "姓名", "支部编码", "类别", "基数（元）", "比例", "应缴（元）", "实缴（元）", "连续欠缴（月）"]


def rows_for(month, org=None, chunk=5000):
    ids = list(month_roll([month], org=org).order_by("organization__path", "pk").values_list("pk", flat=True))
    for i in range(0, len(ids), chunk):
        for row in month_roll_rows(month, ids[i:i + chunk]):
            row.pop("state")
            yield row


class Command(BaseCommand):
    help = "导出某月每名党员的党费：类别、基数、比例、应缴、实缴、连续欠缴月数（JSON 或 xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份，如 2025-03")
        parser.add_argument("--org", help="组织编码：只导出该组织及其下级")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="xlsx 输出文件（默认写到标准输出）")

    def handle(self, *args, month, org, format, output, **options):
        try:
            month = rules.parse_month(month)
        except rules.RuleError as exc:
            raise CommandError(str(exc)) from None
        root = None
        if org:
            root = Organization.objects.filter(code=org).first()
            if root is None:
                raise CommandError(f"找不到组织编码 {org}")
        rows = list(rows_for(month, root))
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        data = write_xlsx(f"{rules.month_label(month)}党费", HEADERS_ZH, ([r[h] for h in HEADERS] for r in rows))
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"已写入 {output}（{len(rows)} 行）")
        else:
            sys.stdout.buffer.write(data)
