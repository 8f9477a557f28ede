"""The upward tables: every cell equals its records and its drill-down list, the figures that overlap
`statistics` agree with it, the workbook is laid out as submitted and opens (and converts when LibreOffice
is there), produced reports show what moved and why, scope, and fixed query counts."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from changqing.core.models import OperationLog
from changqing.core.roles import Role
from changqing.members.models import MembershipEvent
from changqing.stats.selectors import annual_figures
from changqing.stats.tests.factories import jurisdiction, people_bulk, person
from changqing.upward import selectors
from changqing.upward.diff import changes
from changqing.upward.models import ReportSnapshot
from changqing.upward.panels import reports_for_branch_panel
from tests.factories import make_user

ON = dt.date(2018, 12, 31)


@pytest.fixture
def j(db):
    j = jurisdiction()
    people_bulk(j.alone, 24)
    people_bulk(j.community, 9, start=24)
    old = person(j.sub, kind="lixiu", birth=dt.date(1929, 1, 1), retired_on=dt.date(1989, 1, 1),
                 joined_on=dt.date(1947, 1, 1), ethnicity="回族")
    type(old).objects.filter(pk=old.pk).update(gender="female")
    # The year's changes: one joined in 2018, one died in 2018 (a member), one who died the year before.
    new = person(j.alone, joined_on=dt.date(2018, 5, 4))
    MembershipEvent.objects.create(membership=new.membership, kind=MembershipEvent.Kind.JOINED, on=dt.date(2018, 5, 4),
                                   organization=j.alone)
    gone = person(j.combined, joined_on=dt.date(1970, 1, 1), deceased_on=dt.date(2018, 8, 1), ended_on=dt.date(2018, 8, 1),
                  state="deceased")
    MembershipEvent.objects.create(membership=gone.membership, kind=MembershipEvent.Kind.DECEASED,
                                   on=dt.date(2018, 8, 1), organization=j.combined)
    person(j.combined, deceased_on=dt.date(2017, 3, 1))
    j.new, j.gone = new, gone
    return j


@pytest.fixture
def admin_client(client, j):
    client.force_login(make_user("up_admin", Role.BUREAU_ADMIN, organization=j.root))
    return client


def _count(response) -> int:
    return int(re.search(r"共\s*(\d+)\s*条", response.content.decode()).group(1))


def test_the_figures_that_overlap_agree_with_statistics(j):
    for org in (j.root, j.alone, j.general, None):
        v = selectors.figures(org=org, on=ON)
        s = annual_figures(org=org, on=ON)
        assert v["people.retirees.all.all"] == s["retirees"]
        assert v["people.members.all.all"] == s["members"]
        for kind in ("lixiu", "tuixiu"):
            assert v[f"people.retirees.kind.{kind}"] == s[kind]
            assert v[f"people.members.kind.{kind}"] == s[f"{kind}_members"]
        assert v["org.all.all"] == s["organizations"]
        assert v["org.all.alone"] == s["organizations_alone"]
        assert v["org.all.combined"] + v["org.all.community"] == s["organizations_combined"]
        # Each split adds up to its total.
        for col in ("retirees", "members"):
            total = v[f"people.{col}.all.all"]
            assert v[f"people.{col}.gender.male"] + v[f"people.{col}.gender.female"] == total
            assert sum(v[f"people.{col}.ethnicity.{e}"] for e in ("han", "minority", "unknown")) == total
            assert sum(v[k] for k in v if k.startswith(f"people.{col}.age.")) == total
        assert sum(v[k] for k in v if k.startswith("party_age.")) == v["people.members.all.all"]
    v = selectors.figures(org=j.root, on=ON)
    assert v["change.joined"] == 1 and v["change.deceased"] == 1 and v["change.retiree_died"] == 1
    assert v["change.members_start"] == annual_figures(org=j.root, on=dt.date(2017, 12, 31))["members"]
    # The year balances: last year's members + increases - decreases = this date's members.
    up = sum(v[f"change.{k}"] for k in ("joined", "registered", "transferred_in", "moved", "restored", "retired"))
    down = sum(v[f"change.{k}"] for k in ("deceased", "transferred_out", "left"))
    assert v["change.retired"] >= 1 and v["change.members_start"] + up - down == v["change.members_end"]
    assert v["people.retirees.ethnicity.minority"] == 1 and v["people.retirees.gender.female"] == 1


def test_the_command_and_the_tables_agree(j, capsys):
    import json

    call_command("statistics", "--date", "2018-12-31", "--org", "S", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    v = selectors.figures(org=j.root, on=ON)
    assert (v["people.retirees.all.all"], v["people.members.all.all"], v["org.all.all"]) == (
        out["retirees"], out["members"], out["organizations"])


def test_every_cell_is_its_records_and_its_link_lists_them(admin_client, j):
    values = selectors.figures(org=j.root, on=ON)
    for key, n in values.items():
        assert selectors.cell_records(key, org=j.root, on=ON).count() == n, key
    html = admin_client.get("/upward/", {"org": "S", "on": "2018-12-31"}).content.decode()
    links = {m.group(2): (unescape(m.group(1)), int(m.group(3)))
             for m in re.finditer(r'<a href="([^"]+)" data-cell="([^"]+)"[^>]*>(\d+)</a>', html)}
    assert set(links) == set(values)
    for key, (url, shown) in links.items():
        assert shown == values[key]
        response = admin_client.get(url)
        assert response.status_code == 200, (key, url)
        assert _count(response) == shown, (key, url)


def test_the_workbook_is_laid_out_as_submitted(admin_client, j, tmp_path):
    response = admin_client.get("/upward/", {"org": "S", "on": "2018-12-31", "export": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["表1", "表2", "表3", "表4"]
    ws = wb["表1"]
    assert ws["A1"].value.startswith("表1") and "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert "填报单位：统计测试党工委" in ws["A2"].value and "2018年12月31日" in ws["C2"].value
    values = selectors.figures(org=j.root, on=ON)
    total_row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "合计")
    assert total_row[2:4] == (values["people.retirees.all.all"], values["people.members.all.all"])
    t3 = wb["表3"]
    assert any(str(r).startswith("A3:B4") for r in t3.merged_cells.ranges)  # the two header rows merged
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT, detail__contains="党内统计表").exists()
    if shutil.which("soffice"):
        path = tmp_path / "t.xlsx"
        path.write_bytes(response.content)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], check=True, timeout=180,
                       capture_output=True)
        assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_a_produced_report_shows_what_moved_and_why(admin_client, j):
    response = admin_client.post("/upward/produce/", {"org": "S", "on": "2018-03-31"})
    first = ReportSnapshot.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/upward/snapshots/{first.pk}/"
    assert "这是统计测试党工委生成的第一期" in admin_client.get(response["Location"]).content.decode()
    admin_client.post("/upward/produce/", {"org": "S", "on": "2018-12-31"})
    second = ReportSnapshot.objects.order_by("-produced_at", "-id").first()
    rows = {c["key"]: c for c in changes(second, first)}
    # Members: one joined, one died; the total stays, the year's changes move and name who and why.
    assert "people.members.all.all" not in rows
    assert (rows["change.joined"]["before"], rows["change.joined"]["after"]) == (0, 1)
    why = {r["name"]: (r["direction"], r["why"]) for r in rows["change.deceased"]["records"] + rows["change.joined"]["records"]}
    assert why[j.gone.name][0] == "增加" and "去世" in why[j.gone.name][1]
    assert "入党" in why[j.new.name][1]
    retirees = {r["name"]: r["why"] for r in rows["people.retirees.all.all"]["records"]}
    assert "去世" in retirees[j.gone.name]
    html = admin_client.get(f"/upward/snapshots/{second.pk}/").content.decode()
    assert "与上一期相比" in html and j.gone.name in html
    assert admin_client.get(f"/upward/snapshots/{second.pk}/", {"export": "xlsx"}).status_code == 200
    assert admin_client.get("/upward/snapshots/").status_code == 200


def test_a_branch_cannot_produce_another_subtree(client, j):
    client.force_login(make_user("up_shuji", Role.BRANCH_SECRETARY, organization=j.alone))
    assert client.post("/upward/produce/", {"org": "S", "on": "2018-12-31"}).status_code == 404
    assert client.get("/upward/", {"org": "S"}).status_code == 404
    assert client.get("/upward/records/", {"org": "S", "cell": "people.retirees.all.all"}).status_code == 404
    assert client.get("/upward/", {"org": j.alone.code}).status_code == 200
    assert client.post("/upward/produce/", {"org": j.alone.code, "on": "2018-12-31"}).status_code == 302
    other = ReportSnapshot.objects.create(organization=j.combined, on=ON, figures={})
    assert client.get(f"/upward/snapshots/{other.pk}/").status_code == 404
    assert client.get("/upward/records/", {"org": j.alone.code, "cell": "nonsense"}).status_code == 400
    assert client.get("/upward/", {"org": j.alone.code, "on": "2018-13-45"}).status_code == 200


@pytest.mark.today
def test_the_branch_home_lists_the_reports_made_for_it_this_month(client, rf, j):
    ReportSnapshot.objects.create(organization=j.root, on=ON, figures={})
    shuji = make_user("up_shuji2", Role.BRANCH_SECRETARY, organization=j.alone)
    request = rf.get("/")
    request.user = shuji
    panel = reports_for_branch_panel(request)
    assert panel["title"] == "本月为本支部自动生成的报表"
    assert len(panel["items"]) == 1 and f"org={j.alone.code}" in panel["items"][0]["url"]
    client.force_login(shuji)
    assert "本月为本支部自动生成的报表" in client.get("/").content.decode()
    other = make_user("up_shuji3", Role.BRANCH_SECRETARY, organization=j.combined)
    request.user = other
    ReportSnapshot.objects.filter(organization=j.root).update(organization=j.alone)
    assert reports_for_branch_panel(request) is None  # a sibling's report is not theirs


@pytest.mark.parametrize("n", [4, 40])
def test_query_counts_do_not_grow(j, n, admin_client, django_assert_max_num_queries):
    people_bulk(j.combined, n, start=100)
    with django_assert_max_num_queries(8):
        selectors.figures(org=j.root, on=ON)
    with django_assert_max_num_queries(40):
        assert admin_client.get("/upward/", {"org": "S", "on": "2018-12-31"}).status_code == 200
