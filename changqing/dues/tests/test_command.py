import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from changqing.dues.models import DuesBase, DuesMonth, DuesPayment

from .helpers import add_members


def run(*args):
    out = io.StringIO()
    call_command("dues", *args, stdout=out)
    return out.getvalue()


def test_json_rows_one_per_member(tree):
    m1, m2 = add_members(tree.a, 2, pension="5000.01", basic="4000")
    DuesBase.objects.create(membership=tree.rb.membership, effective_from=dt.date(2025, 1, 1), category="student")
    p = DuesPayment.objects.create(membership=m1, organization=tree.a, first_month=dt.date(2025, 3, 1),
                                   amount=D("50.00"), paid_on=dt.date(2025, 3, 5))
    DuesMonth.objects.create(membership=m1, month=dt.date(2025, 3, 1), amount_due=D("50.00"), payment=p)
    rows = json.loads(run("--month", "2025-03"))
    by_id = {r["member_id"]: r for r in rows}
    assert set(rows[0]) == {"member_id", "name", "branch_code", "category", "base", "rate", "amount_due", "paid",
                            "arrears_months"}
    assert by_id[m1.pk] == {"member_id": m1.pk, "name": m1.retiree.name, "branch_code": "T-A", "category": "retiree",
                            "base": "4000.00", "rate": "0.005", "amount_due": "50.00", "paid": "50.00",
                            "arrears_months": 0}
    assert by_id[m2.pk]["paid"] == "0.00" and by_id[m2.pk]["arrears_months"] == 15  # Jan 2024 .. Mar 2025
    rb = by_id[tree.rb.membership.pk]
    assert (rb["category"], rb["base"], rb["rate"], rb["amount_due"]) == ("student", None, None, "0.20")
    assert by_id[tree.ra.membership.pk]["amount_due"] is None  # no base recorded yet
    only_a = json.loads(run("--month", "2025-03", "--org", "T-A"))
    assert {r["branch_code"] for r in only_a} == {"T-A"}


def test_xlsx_output(tree, tmp_path):
    add_members(tree.a, 2)
    target = tmp_path / "d.xlsx"
    call_command("dues", "--month", "2025-03", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[1][0] == "党员编号" and len(rows) == 2 + 4


@pytest.mark.parametrize("args,msg", [(["--month", "2025-13"], "年-月"), (["--month", "三月"], "年-月"),
                                      (["--month", "2025-03", "--org", "NOPE"], "找不到组织编码")])
def test_bad_arguments(tree, args, msg):
    with pytest.raises(CommandError, match=msg):
        run(*args)
