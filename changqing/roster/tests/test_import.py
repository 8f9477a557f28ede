"""Importing roster sheets: messy real sheets, every error kind, all-or-nothing, idempotence, scope, queries."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changqing.core.scope import forget_scope
from changqing.core.models import ObjectChange
from changqing.members.models import (
    Membership,
    MembershipEvent,
    MembershipPeriod,
    Retiree,
)
from changqing.orgs.models import Organization, OrgKind
from changqing.roster.reader import SheetError
from changqing.roster.services import roster_import_file

from .factory import make_id, person, simple_rows, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEAD = ["姓名", "性别", "身份证号", "出生日期", "党员类别", "入党日期", "转正日期", "联系电话"]


def _id_with_x(birth, male=True):
    for seq in range(1, 500):
        value = make_id(birth, male=male, seq=seq)
        if value.endswith("X"):
            return value
    raise AssertionError


def _fw(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


def messy_sheet(path):
    """A real 台账: title, unit line, two-row header with merged headings, variants, serial dates, blank rows, footer."""
    b1, b2, b3 = dt.date(1946, 5, 20), dt.date(1950, 3, 1), dt.date(1955, 12, 8)
    id1 = _id_with_x(b1, male=True)
    rows = [
        ["甲支部离退休干部党员花名册", None, None, None, None, None, None, None, None, None],
        ["填报单位：甲支部", None, None, None, None, None, None, None, "填报日期：2026年11月", None],
        ["序号", "名 字", "性别", "公民身份号码", "出生年月", "政治面貌", "党员信息", None, "手机", "家庭住址"],
        [None, None, None, None, None, None, "入党时间", "转正时间", None, None],
        [1, " 王  建国 ", "男", _fw(id1[:-1]) + "x", 16942, "中共党员", "1970.03", 25993, "138 0000 1234", " 幸福路 1号 "],
        [None] * 10,
        [2, "李秀英", "女", make_id(b2, male=False, seq=7), "1950年3月", "中共党员", "1972年7月", "19730701",
         13900001234, "和平街"],
        [3, "赵平", "男", make_id(b3, male=True, seq=9), "1955-12-8", "群众", None, None, "0552-1234567", None],
        [None] * 10,
        ["填表人：刘会计", None, None, None, "审核人：陈书记", None, None, None, None, None],
    ]
    merges = ["A1:J1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:H3", "I3:I4", "J3:J4"]
    write_xlsx(path, rows, merges=merges)
    return path, (id1, make_id(b2, male=False, seq=7), make_id(b3, male=True, seq=9))


def test_messy_real_sheet_imports(tree, bureau_admin, tmp_path):
    path, ids = messy_sheet(tmp_path / "花名册.xlsx")
    report = roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=True)
    assert report.errors == []
    assert (report.header_row, report.rows, report.created) == (4, 3, 3)
    assert "序号" in report.ignored
    assert not Retiree.objects.filter(id_number__in=ids).exists(), "a dry run writes nothing"
    report = roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=False)
    assert report.imported and report.created == 3
    wang = Retiree.objects.get(id_number=ids[0])
    assert wang.name == "王建国" and wang.id_number.endswith("X") and wang.phone == "13800001234"
    assert wang.address == "幸福路 1号" and wang.organization == tree.a and wang.name_initials == "wjg"
    m = wang.membership
    assert (m.joined_on, m.full_on, m.status) == (dt.date(1970, 3, 1), dt.date(1971, 3, 1), "full")
    li = Retiree.objects.get(id_number=ids[1])
    assert li.membership.joined_on == dt.date(1972, 7, 1) and li.membership.full_on == dt.date(1973, 7, 1)
    assert li.phone == "13900001234" and li.gender == "female"
    zhao = Retiree.objects.get(id_number=ids[2])
    assert not Membership.objects.filter(retiree=zhao).exists() and zhao.phone == "0552-1234567"
    # the membership history the record page shows
    assert MembershipPeriod.objects.filter(membership=m, organization=tree.a, start_on=m.joined_on).exists()
    assert set(MembershipEvent.objects.filter(membership=m).values_list("kind", flat=True)) == {"joined", "became_full"}
    # change log written in bulk
    assert ObjectChange.objects.filter(object_id=str(wang.pk), action="create").exists()


def test_csv_in_gbk_and_utf8(tree, bureau_admin, tmp_path):
    people = [person(i) for i in range(3)]
    rows = simple_rows(people)
    rows = [["各支部名册（CSV）"]] + [[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in rows]
    for encoding in ("gbk", "utf-8-sig", "utf-8"):
        path = write_csv(tmp_path / f"r-{encoding}.csv", rows, encoding)
        report = roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=True)
        assert report.errors == [], encoding
        assert report.created == 3 and report.header_row == 2


def test_reimport_updates_never_duplicates(tree, bureau_admin, run_import):
    people = [person(i) for i in range(4)]
    first = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert first.created == 4
    again = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    people[1]["联系电话"] = "13612345678"
    changed = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    assert Retiree.objects.filter(id_number=people[1]["身份证号"]).get().phone == "13612345678"
    assert Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).count() == 4
    change = ObjectChange.objects.filter(action="update", object_repr=people[1]["姓名"]).latest("id")
    assert change.before["phone"] == "139****0001" and change.after["phone"] == "136****5678"  # masked in the history


def test_empty_cells_do_not_erase(tree, bureau_admin, run_import):
    people = [person(1)]
    run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    people[0]["联系电话"] = None
    report = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert report.unchanged == 1
    assert Retiree.objects.get(id_number=people[0]["身份证号"]).phone == "13900000001"


def test_probationary_becomes_full_with_an_event(tree, bureau_admin, run_import):
    p = person(2)
    p["党员类别"], p["转正日期"] = "预备党员", None
    run_import(simple_rows([p]), user=bureau_admin, org=tree.a)
    p["党员类别"], p["转正日期"] = "正式党员", dt.date(p["入党日期"].year + 1, 7, 1)
    report = run_import(simple_rows([p]), user=bureau_admin, org=tree.a)
    assert report.updated == 1
    m = Membership.objects.get(retiree__id_number=p["身份证号"])
    assert m.status == "full" and m.events.filter(kind="became_full").count() == 1


def _errors(report):
    return {(e["row"], e["column"]): e["message"] for e in report.errors}


def test_every_row_error_kind_is_reported_and_nothing_is_written(tree, bureau_admin, run_import, today):
    ok = person(0)
    head = HEAD + ["离退休类别", "去世日期", "状态", "健康状况", "原工作单位", "入党时所在党组织"]

    def row(p, **extra):
        return [p.get(h) for h in HEAD] + [extra.get(k) for k in ("kind", "dead", "status", "health", "unit", "jorg")]

    b = dt.date(1950, 6, 1)
    bad = []
    bad.append(row({**person(1), "姓名": None}))  # 3 missing name
    bad.append(row({**person(2), "身份证号": person(2)["身份证号"][:-1] + ("1" if person(2)["身份证号"][-1] != "1" else "2")}))
    bad.append(row({**person(3), "性别": "女"}))  # 5 gender vs ID
    bad.append(row({**person(4), "出生日期": dt.date(1948, 3, 16)}))  # 6 birth vs ID
    bad.append(row({**person(5), "入党日期": "去年"}))  # 7 bad date
    bad.append(row({**person(6), "入党日期": dt.date(1960, 1, 1), "转正日期": dt.date(1961, 1, 1)}))  # 8 under 18
    bad.append(row({**person(7), "转正日期": dt.date(1969, 1, 1)}))  # 9 full before joined
    bad.append(row({**person(8), "转正日期": None}))  # 10 full without date
    bad.append(row({**person(9), "党员类别": "预备党员"}))  # 11 probationary with full date
    bad.append(row({**person(10), "党员类别": "非党员"}))  # 12 non-member with dates
    bad.append(row(person(11), dead=dt.date(1969, 1, 1), status="已故"))  # 13 joined after death
    bad.append(row(person(12), status="已故"))  # 14 deceased without date
    bad.append(row(person(13), health="很好"))  # 15 bad choice
    bad.append(row({**person(14), "联系电话": "12345"}))  # 16 bad phone
    bad.append(row(person(15), unit="单" * 101))  # 17 too long
    bad.append(row({**person(16), "身份证号": make_id(b, seq=16)}, kind="离休"))  # 18 离休 born after 1949
    bad.append(row({**person(17), "入党日期": today + dt.timedelta(days=30), "转正日期": None, "党员类别": "预备党员"}))
    bad.append(row({**person(18), "身份证号": "340302********0011"}))  # 20 masked
    bad.append(row({**person(19), "身份证号": make_id(dt.date(2001, 1, 1), seq=19), "出生日期": None,
                    "入党日期": None, "转正日期": None, "党员类别": "非党员"}))  # 21 too young for a retiree
    rows = [head, row(ok)] + bad
    report = run_import(rows, user=bureau_admin, org=tree.a)
    errs = _errors(report)
    expect = {
        (3, "姓名"): "姓名必须填写", (4, "身份证号"): "校验位", (5, "性别"): "性别与身份证号不一致",
        (6, "出生日期"): "出生日期与身份证号不一致", (7, "入党日期"): "无法识别的日期", (8, "入党日期"): "不满18周岁",
        (9, "转正日期"): "转正日期应晚于入党日期", (10, "转正日期"): "正式党员须填写转正日期",
        (11, "转正日期"): "预备党员尚未转正", (12, "入党日期"): "非党员不应填写入党日期",
        (13, "入党日期"): "入党日期晚于去世日期", (14, "去世日期"): "已故人员须填写去世日期",
        (15, "健康状况"): "不是可选的值", (16, "联系电话"): "应为11位", (17, "原工作单位"): "内容过长",
        (18, "离退休类别"): "离休干部须在1949年10月1日前", (19, "入党日期"): "不能晚于今天",
        (20, "身份证号"): "部分隐藏", (21, "身份证号"): "不满40岁",
    }
    for key, fragment in expect.items():
        assert key in errs, f"{key} not reported; got {sorted(errs)}"
        assert fragment in errs[key], (key, errs[key])
    assert not report.imported and report.created == 0
    assert not Retiree.objects.filter(id_number=ok["身份证号"]).exists(), "all or nothing: the good row is not kept"
    e = next(e for e in report.errors if e["row"] == 16)
    assert e["value"] == "12345"


def test_duplicate_ids_in_a_file_report_both_rows(tree, bureau_admin, run_import):
    a, b = person(1), person(2)
    dup = {**person(3), "身份证号": a["身份证号"], "姓名": a["姓名"]}
    report = run_import(simple_rows([a, b, dup]), user=bureau_admin, org=tree.a)
    errs = _errors(report)
    assert "与第4行" in errs[(2, "身份证号")] and "与第2行" in errs[(4, "身份证号")]
    assert Retiree.objects.filter(id_number=a["身份证号"]).count() == 0


def test_one_bad_row_late_in_a_big_file_rolls_back_earlier_batches(tree, bureau_admin, run_import, settings):
    settings.CHANGQING = {**settings.CHANGQING, "ROSTER": {"batch_size": 10}}
    people = [person(i, birth=dt.date(1940 + i % 15, 1 + i % 12, 1 + i % 27)) for i in range(45)]
    people[42]["性别"] = "女"
    report = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert report.error_count == 1 and report.errors[0]["row"] == 44
    assert not Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).exists()


def test_org_column_by_code_or_name_and_scope(tree, secretary_a, run_import):
    a, b, c, d = person(1), person(2), person(3), person(4)
    rows = [HEAD + ["所在组织", "组织编码"],
            [a.get(h) for h in HEAD] + ["甲支部", None],
            [b.get(h) for h in HEAD] + [None, "t-a"],
            [c.get(h) for h in HEAD] + ["乙支部专有名称", None],
            [d.get(h) for h in HEAD] + [None, "T-B"]]
    report = run_import(rows, user=secretary_a)
    errs = _errors(report)
    assert "找不到名为“乙支部专有名称”的组织" in errs[(4, "所在组织")]
    assert "不在您的管理范围内" in errs[(5, "组织编码")]
    assert len(report.errors) == 2 and not report.imported
    report = run_import(rows[:3], user=secretary_a)
    assert report.imported and report.created == 2
    assert set(Retiree.objects.filter(id_number__in=[a["身份证号"], b["身份证号"]])
               .values_list("organization__code", flat=True)) == {"T-A"}


def test_default_org_outside_scope_is_refused(tree, secretary_a, run_import):
    report = run_import(simple_rows([person(1)]), user=secretary_a, org=tree.b)
    assert not report.imported
    assert any("不在您的管理范围内" in e["message"] for e in report.errors)
    assert not Retiree.objects.filter(id_number=person(1)["身份证号"]).exists()


def test_person_on_record_elsewhere_is_not_touched(tree, secretary_a, run_import):
    from tests.factories import make_retiree

    other = person(5)
    rb = make_retiree(tree.b, other["姓名"], other["身份证号"], birth=other["出生日期"])  # in branch B
    p = {"姓名": rb.name, "性别": "男", "身份证号": rb.id_number, "联系电话": "13711112222"}
    report = run_import(simple_rows([p], headers=("姓名", "性别", "身份证号", "联系电话")), user=secretary_a, org=tree.a)
    assert "管理范围以外" in report.errors[0]["message"]
    rb.refresh_from_db()
    assert rb.phone == "13800001234"


def test_name_mismatch_and_transfer_need_the_record_page(tree, bureau_admin, run_import):
    ra = tree.ra
    rows = [["姓名", "性别", "身份证号", "组织编码"], ["张红卫", "女", ra.id_number, "T-A"],
            [ra.name, "女", ra.id_number.lower(), "T-B"]]
    report = run_import(rows, user=bureau_admin)
    errs = _errors(report)
    assert "登记的姓名是“张宏伟”" in errs[(2, "姓名")]
    assert "与第2行的身份证号相同" in errs[(3, "身份证号")]
    report = run_import([rows[0], rows[2]], user=bureau_admin)
    assert "辖区内转接" in _errors(report)[(2, "组织编码")]


def test_no_header_and_no_org(tree, bureau_admin, run_import):
    with pytest.raises(SheetError):
        run_import([["张三", "男"], ["李四", "女"]], user=bureau_admin, org=tree.a)
    report = run_import(simple_rows([person(1)]), user=bureau_admin)
    assert report.errors[0]["row"] == 1 and "没有“所在组织”" in report.errors[0]["message"]


def test_member_org_must_hold_relationships(tree, bureau_admin, run_import):
    group = Organization.objects.create(code="T-A-G1", name="甲支部第一党小组", kind=OrgKind.GROUP, parent=tree.a)
    report = run_import(simple_rows([person(1)]), user=bureau_admin, org=group)
    assert "党小组" in report.errors[0]["message"]


def _queries(run_import, user, org, n, offset):
    rows = simple_rows([person(offset + i, birth=dt.date(1940 + i % 15, 1 + i % 12, 1 + i % 27)) for i in range(n)])
    forget_scope(user)  # each measured import resolves the user's scope itself
    with CaptureQueriesContext(connection) as ctx:
        report = run_import(rows, user=user, org=org)
    assert report.imported and report.created == n
    forget_scope(user)
    with CaptureQueriesContext(connection) as again:
        report = run_import(rows, user=user, org=org)
    assert report.unchanged == n
    return len(ctx.captured_queries), len(again.captured_queries)


def test_queries_grow_with_batches_not_rows(tree, bureau_admin, run_import, settings):
    small = _queries(run_import, bureau_admin, tree.a, 50, 0)
    large = _queries(run_import, bureau_admin, tree.a, 500, 100)
    assert large[1] == small[1], "re-import (no writes): the same queries for 50 rows as for 500"
    if connection.vendor == "postgresql":
        assert large == small, "one batch: the same queries for 50 rows as for 500"
    else:
        # SQLite caps a statement at 999 parameters, so Django splits each bulk INSERT every ~30 rows
        assert large[0] - small[0] < (500 - 50) / 5
    settings.CHANGQING = {**settings.CHANGQING, "ROSTER": {"batch_size": 100}}
    batched = _queries(run_import, bureau_admin, tree.a, 500, 700)
    per_batch = 12
    assert batched[1] <= small[1] + 4 * 2
    if connection.vendor == "postgresql":
        assert batched[0] <= small[0] + 4 * per_batch


def test_sign_off_lines_are_skipped_but_people_never(tree, bureau_admin, run_import):
    p = person(1)
    rows = [["姓名", "性别", "身份证号", "备注"], [p["姓名"], p["性别"], p["身份证号"], "说明：已审核"],
            ["填表人：刘会计", None, None, "审核：陈书记"], ["合计：1人"]]
    report = run_import(rows, user=bureau_admin, org=tree.a)
    assert report.errors == [] and report.rows == 1 and report.created == 1
    assert Retiree.objects.get(id_number=p["身份证号"]).note == "说明：已审核"


def test_unreadable_files_say_so(tree, bureau_admin, tmp_path):
    cases = [("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "无法读取这个 .xls 文件"),
             ("broken.xlsx", b"PK\x03\x04 not really a zip", "文件已损坏或不是 Excel 文件"),
             ("notes.pdf", b"%PDF-1.4", "只能导入 Excel")]
    for name, data, fragment in cases:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(SheetError) as exc:
            roster_import_file(path, name, user=bureau_admin, default_org=tree.a, dry_run=True)
        assert fragment in str(exc.value)


def test_someone_registering_the_same_person_meanwhile_rolls_back(tree, bureau_admin, run_import, monkeypatch):
    from changqing.roster import services

    people = [person(i) for i in range(3)]
    original = services._Writes.save

    def racing_save(self, now):
        # another secretary saves the first of these people just before our batch is written
        r = self.new[0][1]
        Retiree.objects.create(name=r.name, gender=r.gender, id_number=r.id_number, birth_date=r.birth_date,
                               retirement_kind="tuixiu", organization=tree.a)
        original(self, now)

    monkeypatch.setattr(services._Writes, "save", racing_save)
    report = run_import(simple_rows(people), user=bureau_admin, org=tree.a)
    assert not report.imported and "同时登记" in report.errors[0]["message"]
    assert not Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).exists()


def test_blank_gender_and_birth_date_come_from_the_id_number(tree, bureau_admin, tmp_path):
    """DOMAIN.md §8: the ID number says the sex and the birth date; a blank cell takes them, a contradiction is
    still refused (and then nothing is imported)."""
    woman, man = make_id(dt.date(1952, 4, 9), male=False, seq=3), make_id(dt.date(1948, 10, 2), male=True, seq=5)
    head = ["姓名", "性别", "身份证号", "出生日期"]
    path = write_csv(tmp_path / "blank.csv", [head, ["孙桂兰", "", woman, ""], ["周正", None, man, "1948-10-02"]])
    report = roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=False)
    assert report.errors == [] and report.created == 2
    sun = Retiree.objects.get(id_number=woman)
    assert (sun.gender, sun.birth_date) == ("female", dt.date(1952, 4, 9))
    assert Retiree.objects.get(id_number=man).gender == "male"
    # A sheet without the 性别 column at all imports too.
    third = make_id(dt.date(1950, 1, 20), male=True, seq=11)
    path = write_csv(tmp_path / "nogender.csv", [["姓名", "身份证号"], ["吴平", third]])
    assert roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=False).created == 1
    assert Retiree.objects.get(id_number=third).gender == "male"
    # Given and contradicting: refused, with row and column, and nothing written.
    fourth = make_id(dt.date(1951, 6, 1), male=True, seq=13)
    path = write_csv(tmp_path / "bad.csv", [head, ["郑和平", "", fourth, ""], ["钱多", "女", make_id(
        dt.date(1949, 2, 2), male=True, seq=15), ""]])
    report = roster_import_file(path, path.name, user=bureau_admin, default_org=tree.a, dry_run=False)
    assert not report.imported
    assert any(e["column"] == "性别" and "不一致" in e["message"] and e["row"] == 3 for e in report.errors)
    assert not Retiree.objects.filter(id_number=fourth).exists()
