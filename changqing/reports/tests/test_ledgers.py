"""The five ledgers (台账) as xlsx: title row, frozen header, headers, rows = the filtered list, masking, widths."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.care.models import Participation, Visit, VolunteerActivity, VolunteerTeam
from changqing.core.exports import HEADER_MAX_WIDTH, period_label, text_width, write_xlsx
from changqing.core.models import OperationLog
from changqing.dues.models import DuesPayment
from changqing.life.models import Attendance, Meeting, MeetingKind
from tests.factories import make_retiree, make_user

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _data_rows(ws):
    """Rows below the header (title, subtitle, header = rows 1–3)."""
    return [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v not in (None, "") for v in r)]


def _headers(ws):
    return [c.value for c in ws[3] if c.value]


def _check_frame(ws, title_start, headers):
    assert ws["A1"].value.startswith(title_start), ws["A1"].value
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A4"
    assert _headers(ws) == headers
    assert "共 " in ws["A2"].value and "导出人" in ws["A2"].value
    for i, h in enumerate(headers):
        width = ws.column_dimensions[chr(65 + i)].width
        assert min(text_width(h), HEADER_MAX_WIDTH) <= width <= 52, (h, width)


def _logged(n=1):
    return OperationLog.objects.filter(event=OperationLog.Event.EXPORT).count() == n


def test_write_xlsx_keeps_types_and_sizes_columns():
    data = write_xlsx("标题", ["日期", "姓名", "金额（元）", "说明"], [
        [dt.date(2025, 3, 1), "张三", Decimal("12.5"), "很长的说明" * 30],
        [dt.date(2025, 4, 1), "李四李四李四", Decimal("3"), "x"],
    ], subtitle="副标题")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A4" and ws["A2"].value == "副标题"
    assert ws["A4"].value == dt.datetime(2025, 3, 1) and ws["A4"].number_format == "yyyy-mm-dd"
    assert ws["C4"].value == 12.5 and ws["C4"].number_format == "0.00"
    assert ws.column_dimensions["B"].width == 14  # 6 CJK characters count 12, plus 2
    assert ws.column_dimensions["D"].width == 50  # capped
    # Without a subtitle the header is row 2 (the existing callers' layout).
    ws = load_workbook(io.BytesIO(write_xlsx("标题", ["a"], [[1]]))).active
    assert ws.freeze_panes == "A3" and ws["A2"].value == "a" and ws["A3"].value == 1


def test_period_label():
    assert period_label(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == "2025年"
    assert period_label(dt.date(2024, 1, 1), dt.date(2025, 12, 31)) == "2024—2025年"
    assert period_label(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == "2025年3月1日至2025年3月31日"


def test_roster_ledger_is_masked_scoped_and_logged(client, tree, secretary_a):
    make_retiree(tree.a, "王长青", "110105195001010011")
    client.force_login(secretary_a)
    ws = _sheet(client.get("/retirees/", {"export": "xlsx"}))
    _check_frame(ws, "甲支部 离退休干部花名册（截至", [
        "姓名", "性别", "出生日期", "身份证号", "类别", "政治面貌", "所在组织", "所在社区", "健康状况", "联系电话", "状态"])
    rows = _data_rows(ws)
    assert sorted(r[0] for r in rows) == ["张宏伟", "王长青"]  # not branch B's person
    zhang = next(r for r in rows if r[0] == "张宏伟")
    assert zhang[2] == dt.datetime(1949, 12, 31)  # a real date
    assert zhang[3] == "110105********002X" and zhang[9] == "138****1234"
    assert _logged()


def test_roster_ledger_masked_for_a_user_without_unmask(client, tree):
    liaison = make_user("lia", Role.COMMITTEE_MEMBER, organization=tree.a)
    client.force_login(liaison)
    resp = client.get("/retirees/", {"export": "xlsx", "org": "T-A"})
    assert resp.status_code == 200  # 委员 may export, but not unmask
    values = [v for r in _data_rows(_sheet(resp)) for v in r]
    assert "110105********002X" in values and "11010519491231002X" not in values


@pytest.fixture
def meetings(tree):
    kind = MeetingKind.objects.get(code="general_meeting")
    out = []
    for day, org in ((dt.date(2025, 3, 5), tree.a), (dt.date(2025, 6, 5), tree.a), (dt.date(2024, 6, 5), tree.a),
                     (dt.date(2025, 3, 6), tree.b)):
        m = Meeting.objects.create(organization=org, kind=kind, held_on=day, topic=f"{org.name}{day}学习",
                                   place="活动室", host="张宏伟", recorder="李记")
        Attendance.objects.create(meeting=m, membership=(tree.ra if org == tree.a else tree.rb).membership,
                                  status="home_delivery" if day.month == 6 else "present")
        out.append(m)
    return out


def test_meeting_ledger(client, tree, secretary_a, meetings):
    client.force_login(secretary_a)
    ws = _sheet(client.get("/life/meetings/", {"export": "xlsx", "held_from": "2025-01-01", "held_to": "2025-12-31"}))
    _check_frame(ws, "甲支部 会议记录台账（2025年）", [
        "会议日期", "类型", "主题", "党组织", "状态", "地点", "主持人", "记录人", "应到人数", "实到人数",
        "录入时间 / 录入人"])
    rows = _data_rows(ws)
    page = client.get("/life/meetings/", {"held_from": "2025-01-01", "held_to": "2025-12-31"}).content.decode()
    assert len(rows) == 2 and "共 2 条" in page
    assert {r[0] for r in rows} == {dt.datetime(2025, 3, 5), dt.datetime(2025, 6, 5)}
    assert all(r[8] == 1 and r[9] == 1 for r in rows)
    assert _logged()
    # Without a date filter the period is the years the rows cover.
    ws = _sheet(client.get("/life/meetings/", {"export": "xlsx"}))
    assert ws["A1"].value == "甲支部 会议记录台账（2024—2025年）" and len(_data_rows(ws)) == 3


def test_meeting_ledger_names_the_filtered_org_only_in_scope(client, tree, bureau_admin, secretary_a, meetings):
    client.force_login(bureau_admin)
    ws = _sheet(client.get("/life/meetings/", {"export": "xlsx", "org": "T-B"}))
    assert ws["A1"].value.startswith("乙支部专有名称 会议记录台账") and len(_data_rows(ws)) == 1
    client.force_login(secretary_a)
    ws = _sheet(client.get("/life/meetings/", {"export": "xlsx", "org": "T-B"}))
    assert "乙支部" not in ws["A1"].value and _data_rows(ws) == []


def test_dues_ledger(client, tree, secretary_a):
    for org, r, amount, day in ((tree.a, tree.ra, "12.50", dt.date(2025, 2, 1)), (tree.a, tree.ra, "1200", dt.date(2025, 5, 1)),
                                (tree.b, tree.rb, "9.00", dt.date(2025, 2, 1))):
        DuesPayment.objects.create(membership=r.membership, organization=org, first_month=day.replace(day=1),
                                   amount=Decimal(amount), paid_on=day, collector="组织委员")
    client.force_login(secretary_a)
    ws = _sheet(client.get("/dues/payments/", {"export": "xlsx"}))
    _check_frame(ws, "甲支部 党费收缴台账（2025年）", [
        "缴纳日期", "姓名", "支部", "类型", "所属月份", "金额（元）", "方式", "收款人", "收据号", "代缴人"])
    rows = _data_rows(ws)
    assert len(rows) == 2 and sorted(r[5] for r in rows) == [12.5, 1200.0]
    assert ws["F4"].number_format == "0.00" and ws["A4"].number_format == "yyyy-mm-dd"
    assert _logged()


def _dues_url():
    from django.urls import reverse

    return reverse("dues:payments")


def test_visit_ledger(client, tree, secretary_a):
    for r, day in ((tree.ra, dt.date(2025, 1, 20)), (tree.ra, dt.date(2025, 9, 20)), (tree.rb, dt.date(2025, 1, 21))):
        Visit.objects.create(retiree=r, visited_on=day, visitors="书记", gifts="米、油", amount=Decimal("300"))
    client.force_login(secretary_a)
    ws = _sheet(client.get("/care/visits/", {"export": "xlsx", "since": "2025-01-01", "until": "2025-06-30"}))
    _check_frame(ws, "甲支部 走访慰问台账（2025年1月1日至2025年6月30日）", [
        "走访日期", "走访对象", "所在组织", "类型", "走访人", "慰问品", "慰问金（元）", "慰问活动"])
    rows = _data_rows(ws)
    assert len(rows) == 1 and rows[0][1] == "张宏伟" and rows[0][6] == 300.0
    assert _logged()


def test_volunteer_ledger(client, tree, secretary_a):
    team = VolunteerTeam.objects.create(name="夕阳红服务队", organization=tree.root, services="量血压")
    for day, people in ((dt.date(2025, 4, 1), [tree.ra, tree.rb]), (dt.date(2024, 4, 1), [tree.ra])):
        act = VolunteerActivity.objects.create(team=team, held_on=day, title="义诊", place="社区")
        for r in people:
            Participation.objects.create(activity=act, retiree=r, hours=Decimal("2.5"))
    client.force_login(secretary_a)
    page = client.get("/care/volunteer-hours/", {"year": "2025"}).content.decode()
    assert "共 1 条" in page
    ws = _sheet(client.get("/care/volunteer-hours/", {"export": "xlsx", "year": "2025"}))
    _check_frame(ws, "甲支部 志愿服务台账（2025年）", [
        "活动日期", "服务队", "服务内容", "地点", "队员", "所在组织", "服务时长（小时）"])
    rows = _data_rows(ws)
    assert len(rows) == 1 and rows[0][4] == "张宏伟" and rows[0][6] == 2.5
    assert ws["G4"].number_format == "0.0"
    assert _logged()
