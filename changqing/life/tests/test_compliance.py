"""Rulesets as data, the bulk loader, the command, the heat map and the overdue list agree."""
import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from changqing.life import engine, selectors, services
from changqing.life.models import Meeting, Rule, Ruleset
from changqing.policies.kinds import FAR_PAST
from changqing.policies.models import PolicyVersion
from changqing.policies.services import policy_version_create
from changqing.orgs.models import Organization, OrgKind

from .conftest import add_members, hold

TODAY = dt.date(2025, 12, 20)


def test_default_rulesets_shipped_by_migration(db):
    retired = Ruleset.objects.get(code="retired")
    standard = Ruleset.objects.get(code="standard")
    assert retired.is_fallback and not standard.is_fallback
    rules = {r.kind.code: (r.count, r.period) for r in retired.current_version().rules.all()}
    assert rules["general_meeting"] == (1, "year") and rules["committee_meeting"] == (1, "quarter")
    assert rules["group_meeting"] == (1, "month") and rules["study_day"] == (1, "month")
    std = {r.kind.code: (r.count, r.period) for r in standard.current_version().rules.all()}
    assert std["general_meeting"] == (1, "quarter") and std["committee_meeting"] == (1, "month")


def test_year_for_a_branch_from_the_database(tree):
    members = add_members(tree.a, 3)
    for month in range(1, 13):
        if month != 3:
            hold(tree.a, "group_meeting", dt.date(2025, month, 8), members)
    for month in (2, 5, 8):
        hold(tree.a, "committee_meeting", dt.date(2025, month, 3))
    gm = hold(tree.a, "general_meeting", dt.date(2025, 6, 30), members)
    results = selectors.compliance_results(tree.root, engine.parse_period("2025"), today=TODAY)
    a = {r.rule.kind: r for r in results if r.branch.code == "T-A"}
    assert (a["group_meeting"].required, a["group_meeting"].held, a["group_meeting"].status) == (12, 11, "overdue")
    assert (a["committee_meeting"].required, a["committee_meeting"].held, a["committee_meeting"].status) == \
        (4, 3, "due_soon")
    assert a["general_meeting"].record_ids == [gm.pk] and a["general_meeting"].status == "done"
    b = {r.rule.kind: r for r in results if r.branch.code == "T-B"}
    assert b["group_meeting"].held == 0 and b["group_meeting"].status == "overdue"


def _assign(org, ruleset, start=FAR_PAST, note=""):
    return policy_version_create(kind="life.ruleset", organization=org, valid_from=start,
                                 values={"ruleset": ruleset.pk}, note=note)


def test_inheritance_and_branch_override(tree, bureau_admin):
    standard = Ruleset.objects.get(code="standard")
    _assign(tree.root, standard)
    p = engine.parse_period("2025")
    rs = selectors.ruleset_for_branches([tree.a, tree.b], p.end)
    assert rs[tree.a.pk].code == rs[tree.b.pk].code == "standard"
    _assign(tree.b, Ruleset.objects.get(code="retired"), note="全部为离休老同志，按离退休规则")
    rs = selectors.ruleset_for_branches(list(Organization.objects.filter(code__in=["T-A", "T-B"])), p.end)
    assert rs[tree.a.pk].code == "standard" and rs[tree.b.pk].code == "retired"


def test_a_ruleset_set_from_a_later_date_applies_from_then(tree):
    _assign(tree.a, Ruleset.objects.get(code="standard"), start=dt.date(2026, 1, 1))
    assert selectors.ruleset_for_branches([tree.a], dt.date(2025, 12, 31))[tree.a.pk].code == "retired"
    assert selectors.ruleset_for_branches([tree.a], dt.date(2026, 1, 1))[tree.a.pk].code == "standard"


def test_warning_months_come_from_their_policy(tree):
    policy_version_create(kind="warning_months", organization=tree.root, valid_from=FAR_PAST,
                          values={"months": [2, 4]})
    rs = selectors.ruleset_for_branches([tree.a], dt.date(2025, 12, 31))
    assert rs[tree.a.pk].warn_months == (2, 4)


def test_copy_and_versioning_keep_the_past(tree):
    retired = Ruleset.objects.get(code="retired")
    copy = services.ruleset_copy(source=retired, owner=tree.root, code="t-local", name="本县规则")
    assert copy.current_version().rules.count() == retired.current_version().rules.count()
    v1 = copy.versions.get()
    v1.effective_from = dt.date(2020, 1, 1)
    v1.save()
    rules = [{"kind": r.kind, "count": r.count, "period": r.period, "per_member": r.per_member}
             for r in v1.rules.all()]
    for r in rules:
        if r["kind"].code == "general_meeting":
            r["count"], r["period"] = 2, "year"
    services.ruleset_revise(ruleset=copy, rules=rules, effective_from=dt.date(2026, 1, 1), note="一年两次党员大会")
    _assign(tree.root, copy)
    hold(tree.a, "general_meeting", dt.date(2025, 6, 1))
    hold(tree.a, "general_meeting", dt.date(2026, 6, 1))

    def gm(year):
        res = selectors.compliance_results(tree.root, engine.parse_period(year), today=dt.date(2027, 1, 5))
        return next(r for r in res if r.branch.code == "T-A" and r.rule.kind == "general_meeting")
    assert (gm("2025").required, gm("2025").status) == (1, "done")  # judged by the version then in force
    assert (gm("2026").required, gm("2026").status) == (2, "overdue")


def test_compliance_command_json_matches_engine(tree, capsys):
    members = add_members(tree.a, 2)
    m = hold(tree.a, "group_meeting", dt.date(2025, 3, 5), members)
    call_command("compliance", "--period", "2025-03", "--org", "T", "--format", "json", "--today", "2025-04-02")
    rows = json.loads(capsys.readouterr().out)
    keys = {"branch_code", "branch_name", "rule", "required", "held", "status", "record_ids"}
    assert all(keys <= set(r) for r in rows)
    group = next(r for r in rows if r["branch_code"] == "T-A" and r["rule"] == "党小组会")
    assert group["held"] == 1 and group["status"] == "done" and group["record_ids"] == [m.pk]
    committee_b = next(r for r in rows if r["branch_code"] == "T-B" and r["rule"] == "支委会")
    assert committee_b["status"] == "overdue" and committee_b["required"] == 1
    # February is not the end of a quarter: no 支委会 row then.
    call_command("compliance", "--period", "2025-02", "--org", "T", "--format", "json", "--today", "2025-04-02")
    assert not any(r["rule"] == "支委会" for r in json.loads(capsys.readouterr().out))


def test_compliance_command_xlsx(tree, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "c.xlsx"
    call_command("compliance", "--period", "2025-Q1", "--format", "xlsx", "--output", str(out), "--today", "2025-05-01")
    ws = load_workbook(out).active
    assert ws["A2"].value == "支部编码" and ws.max_row > 3


@pytest.mark.parametrize("args,msg", [
    (["--period", "2025-13"], "月份"),
    (["--period", "去年"], "无法识别"),
    (["--period", "2025", "--org", "NOPE"], "不存在"),
    (["--period", "2025", "--format", "xlsx"], "--output"),
    (["--period", "2025", "--today", "2025/1/1"], "无效"),
])
def test_compliance_command_bad_input(tree, args, msg):
    with pytest.raises(CommandError) as exc:
        call_command("compliance", *args)
    assert msg in str(exc.value)


def test_heat_map_cells_agree_with_command(tree, bureau_admin, client, capsys):
    members = add_members(tree.a, 2)
    for month in (1, 2, 4):
        hold(tree.a, "group_meeting", dt.date(2025, month, 9), members)
    hold(tree.a, "committee_meeting", dt.date(2025, 2, 1))
    branches, months, cells = selectors.heat_map(tree.root, engine.parse_period("2025-01..2025-06"), today=TODAY)
    for month in months:
        call_command("compliance", "--period", f"{month:%Y-%m}", "--org", "T", "--format", "json",
                     "--today", TODAY.isoformat())
        rows = json.loads(capsys.readouterr().out)
        for b in branches:
            cmd = sorted((r["rule"], r["status"], r["held"]) for r in rows if r["branch_code"] == b.code)
            cell = sorted((r.rule.name, r.status, r.held) for r in cells[(b.id, month)])
            assert cmd == cell
    a_cells = {m.month: engine.worst_status(r.status for r in cells[(tree.a.pk, m)]) for m in months}
    assert a_cells[3] == "overdue" and a_cells[6] == "overdue"  # March: no 党小组会; June: many missing


def _world(root, n_branches, n_meetings_each):
    for i in range(n_branches):
        b = Organization.objects.create(code=f"{root.code}-X{i}", name=f"支部{i}", kind=OrgKind.BRANCH, parent=root)
        members = add_members(b, 2)
        for j in range(n_meetings_each):
            hold(b, "group_meeting", dt.date(2025, 1 + j % 12, 5), members)
        hold(b, "heart_talk", dt.date(2025, 7, 1), members)


@pytest.mark.parametrize("path", ["/life/heatmap/?org=T&period=2025", "/life/overdue/?org=T&period=2025",
                                  "/life/participation/?org=T&period=2025", "/life/branch/T-A/",
                                  "/life/meetings/?org=T"])
def test_report_query_counts_do_not_grow(tree, bureau_admin, client, django_assert_max_num_queries, path):
    client.force_login(bureau_admin)
    _world(tree.root, 2, 3)
    with django_assert_max_num_queries(60) as small:
        assert client.get(path).status_code == 200
    _world(Organization.objects.get(code="T"), 0, 0)
    root = tree.root
    for i in range(2, 10):
        b = Organization.objects.create(code=f"T-Y{i}", name=f"又一支部{i}", kind=OrgKind.BRANCH, parent=root)
        members = add_members(b, 3)
        for j in range(12):
            hold(b, "group_meeting", dt.date(2025, 1 + j, 5), members)
    n = len(small.captured_queries)
    with django_assert_max_num_queries(n + 2):
        assert client.get(path).status_code == 200
    assert Meeting.objects.count() > 90


def test_exports_are_logged_and_in_chinese(tree, bureau_admin, client):
    from openpyxl import load_workbook
    import io

    from changqing.core.models import OperationLog

    client.force_login(bureau_admin)
    for path in ("/life/heatmap/?org=T&period=2025&export=xlsx", "/life/overdue/?org=T&period=2025&export=xlsx",
                 "/life/participation/?org=T&period=2025&only=all&export=xlsx"):
        resp = client.get(path)
        assert resp.status_code == 200
        ws = load_workbook(io.BytesIO(resp.content)).active
        assert "组织生活" in ws["A1"].value or "党员" in ws["A1"].value
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT).count() == 3


def test_bad_period_on_page_is_said_in_chinese(tree, bureau_admin, client):
    client.force_login(bureau_admin)
    resp = client.get("/life/heatmap/?org=T&period=2025-99")
    assert resp.status_code == 200 and "月份 99 不存在" in resp.content.decode()


def test_other_branch_is_out_of_scope(tree, secretary_a, client):
    client.force_login(secretary_a)
    assert client.get("/life/branch/T-A/").status_code == 200
    assert client.get("/life/branch/T-B/").status_code == 404
    assert client.get("/life/branch/T-B/record/").status_code == 404
    m = hold(tree.b, "group_meeting", dt.date(2025, 3, 1))
    assert client.get(f"/life/meetings/{m.pk}/").status_code == 404
    resp = client.get("/life/heatmap/")
    assert "乙支部专有名称" not in resp.content.decode()
    assert client.get("/life/heatmap/?org=T-B").status_code == 404


def test_api_meetings_scoped(tree, secretary_a, client):
    hold(tree.a, "group_meeting", dt.date(2025, 3, 1), add_members(tree.a, 1))
    hold(tree.b, "group_meeting", dt.date(2025, 3, 2))
    client.force_login(secretary_a)
    data = client.get("/api/v1/life/meetings/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["organization_code"] for r in rows] == ["T-A"] and rows[0]["attendances"]


def test_ruleset_pages_copy_revise_assign(tree, bureau_admin, client):
    client.force_login(bureau_admin)
    retired = Ruleset.objects.get(code="retired")
    assert "离退休干部党支部规则" in client.get("/life/rulesets/").content.decode()
    resp = client.post(f"/life/rulesets/{retired.pk}/", {"code": "t-copy", "name": "本辖区规则"})
    copy = Ruleset.objects.get(code="t-copy")
    assert resp.status_code == 302 and copy.owner == tree.root
    bad = client.post(f"/life/rulesets/{retired.pk}/", {"code": "t-copy", "name": "重复"})
    assert "该编码已被使用" in bad.content.decode()
    page = client.get(f"/life/rulesets/{copy.pk}/revise/")
    forms = page.context["formset"].forms
    data = {"rules-TOTAL_FORMS": len(forms), "rules-INITIAL_FORMS": len(forms), "effective_from": "2026-01-01",
            "due_soon_days": "10", "note": "支委会改为每月"}
    for i, f in enumerate(forms):
        ini = f.initial
        data[f"rules-{i}-kind"] = ini["kind"]
        data[f"rules-{i}-count"] = ini["count"]
        data[f"rules-{i}-period"] = "month" if f.initial["kind"] == Rule.objects.filter(
            kind__code="committee_meeting").first().kind_id else ini["period"]
        if ini["per_member"]:
            data[f"rules-{i}-per_member"] = "on"
    bad = client.post(f"/life/rulesets/{copy.pk}/revise/", {**data, "due_soon_days": "100"})
    assert bad.status_code == 200 and copy.versions.count() == 1
    assert client.post(f"/life/rulesets/{copy.pk}/revise/", data).status_code == 302
    v2 = copy.current_version()
    assert v2.number == 2 and v2.rules.get(kind__code="committee_meeting").period == "month"
    url = "/policies/set/life.ruleset/T-A/"
    bad = client.post(url, {"v-valid_from": "2026-01-01", "ruleset": copy.pk, "v-note": ""})
    assert "请写明理由" in bad.content.decode() and not PolicyVersion.objects.exists()
    assert client.post(url, {"v-valid_from": "2026-01-01", "ruleset": copy.pk, "v-note": "试点"}).status_code == 302
    assert PolicyVersion.objects.get(policy__organization=tree.a).note == "试点"
    assert selectors.ruleset_source(tree.a, dt.date(2026, 2, 1))[1] == copy
    assert "T-A" in client.get(f"/life/rulesets/{copy.pk}/").content.decode() or \
        tree.a.name in client.get(f"/life/rulesets/{copy.pk}/").content.decode()
