"""Yearly documents built from the data: figures in the .docx, PDF through LibreOffice, job, scope, command."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from docx import Document

from changqing.audit.models import Finding
from changqing.care.models import Participation, Visit, VolunteerActivity, VolunteerTeam
from changqing.core import documents
from changqing.core.models import Job, OperationLog
from changqing.life.models import Attendance, Meeting, MeetingKind
from changqing.reports import charts, summary
from changqing.reports.models import GeneratedReport
from changqing.reports.services import report_generate
from changqing.reports.statistics import stats_available

pytestmark = pytest.mark.django_db
NO_SOFFICE = "LibreOffice 未安装（make fonts 安装 libreoffice-writer-nogui），不能生成 PDF"
NO_STATS = "统计模块（changqing/stats/selectors.py）尚未提供 FIGURES/annual_figures/distributions/trend"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def year_of_work(tree):
    """2025 in branch A: three meetings (one 送学上门), two visits, volunteer hours; a confirmed finding."""
    kind = MeetingKind.objects.get(code="general_meeting")
    for day, status in ((dt.date(2025, 3, 5), "present"), (dt.date(2025, 6, 5), "home_delivery"),
                        (dt.date(2025, 9, 5), "absent")):
        m = Meeting.objects.create(organization=tree.a, kind=kind, held_on=day, topic="学习")
        Attendance.objects.create(meeting=m, membership=tree.ra.membership, status=status)
    Meeting.objects.create(organization=tree.b, kind=kind, held_on=dt.date(2025, 3, 6), topic="学习")
    Meeting.objects.create(organization=tree.a, kind=kind, held_on=dt.date(2024, 3, 6), topic="去年")
    for day in (dt.date(2025, 1, 20), dt.date(2025, 9, 20)):
        Visit.objects.create(retiree=tree.ra, visited_on=day, visitors="书记", amount=Decimal("300"))
    Visit.objects.create(retiree=tree.rb, visited_on=dt.date(2025, 2, 1), visitors="书记")
    team = VolunteerTeam.objects.create(name="夕阳红服务队", organization=tree.a, services="量血压")
    act = VolunteerActivity.objects.create(team=team, held_on=dt.date(2025, 4, 1), title="义诊")
    Participation.objects.create(activity=act, retiree=tree.ra, hours=Decimal("2.5"))
    Finding.objects.create(kind="backfill", organization=tree.a, key="k1", period=2025, status="confirmed",
                           evidence_digest="x")
    Finding.objects.create(kind="backfill", organization=tree.a, key="k2", period=2025, evidence_digest="y")
    return tree


def _text(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_summary_figures_come_from_the_data(year_of_work):
    tree = year_of_work
    data = summary.summary_data(tree.a, 2025, today=dt.date(2026, 3, 1))
    assert data.life["meetings"] == 3 and data.life["attendance_total"] == 3
    assert data.life["attendance_rate"] == pytest.approx(66.7) and data.life["deliveries"] == 1
    assert data.life["by_month"][2] == 1 and sum(data.life["by_month"]) == 3
    assert data.care["visits"] == 2 and data.care["reached"] == 1 and data.care["amount"] == Decimal("600")
    assert data.volunteers["hours"] == Decimal("2.5") and data.volunteers["people"] == 1
    assert data.audit == {"confirmed": 1, "by_kind": [("事后补录", 1)], "open": 1, "dismissed": 0}
    assert data.guidance is None and data.evaluation is None  # no stations, no ratings: sections left out
    text = _text(summary.render_summary(data))
    assert "甲支部" in text and "2025年度工作总结" in text
    assert "全年共开展组织生活3次" in text and "党员参加率66.7%" in text and "送学上门1人次" in text
    assert "全年走访慰问2人次" in text and "发放慰问金600.00元" in text
    assert "服务时长2.5小时" in text and "确认问题1项（事后补录1项）" in text and "尚有1项待核实" in text
    assert "星级评定" not in text and "指导站" not in text
    # The whole jurisdiction counts branch B too.
    whole = summary.summary_data(tree.root, 2025, today=dt.date(2026, 3, 1))
    assert whole.life["meetings"] == 4 and whole.care["visits"] == 3 and whole.life["branches"] == 2


def test_summary_docx_has_tables_and_charts(year_of_work):
    data = summary.summary_data(year_of_work.root, 2025, today=dt.date(2026, 3, 1))
    doc = Document(io.BytesIO(summary.render_summary(data)))
    assert len(doc.inline_shapes) >= 2 and len(doc.tables) >= 1
    assert doc.tables[0].rows[0].cells[0].text == "项目"


def test_charts_draw_chinese_with_the_cjk_font():
    assert charts.has_cjk_font(), "Noto Sans CJK SC 未安装（make fonts）"
    png = charts.hbar_chart("年龄结构", ["80—89岁", "90岁及以上"], [3, 1], unit="人", percents=[75, 25])
    assert png.startswith(b"\x89PNG")
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.width == 1600 and len(img.getcolors(1 << 20)) > 10  # text anti-aliased, not an empty frame


@pytest.mark.skipif(documents.soffice() is None, reason=NO_SOFFICE)
def test_generated_report_has_docx_and_pdf(year_of_work, bureau_admin):
    report = report_generate(organization=year_of_work.root, year=2025, kind="summary", user=bureau_admin)
    assert report.docx.read().startswith(b"PK")
    pdf = report.pdf.read()
    assert pdf.startswith(b"%PDF") and b"NotoS" in pdf and report.pdf_note == ""
    assert report.figures["meetings"] == 4 and str(report) == "测试党工委2025年度工作总结"


def test_without_libreoffice_the_docx_is_kept(year_of_work, monkeypatch):
    monkeypatch.setattr(documents, "soffice", lambda: None)
    report = report_generate(organization=year_of_work.a, year=2025, kind="summary")
    assert report.docx and not report.pdf and "LibreOffice" in report.pdf_note


def test_generation_runs_as_a_job_with_progress_and_is_scoped(client, year_of_work, bureau_admin, secretary_a):
    tree = year_of_work
    client.force_login(bureau_admin)
    page = client.get("/reports/").content.decode()
    assert "年度工作总结" in page and "测试党工委" in page
    r = client.post("/reports/", {"organization": tree.root.pk, "year": 2025, "kind": "summary"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.SUCCEEDED, (job.message, job.error)
    assert job.progress == 100 and job.kind == "reports.generate"
    report = GeneratedReport.objects.get()
    assert job.result["url"] == report.get_absolute_url() and report.job_id == job.pk
    assert report.created_by == bureau_admin and report.organization == tree.root
    detail = client.get(report.get_absolute_url()).content.decode()
    assert f"/reports/{report.pk}/docx/" in detail
    assert str(report) in client.get("/reports/").content.decode()
    resp = client.get(f"/reports/{report.pk}/docx/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"PK")
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT, data__report_id=report.pk).exists()
    # A branch secretary neither sees the county's report nor may generate one for another branch.
    client.force_login(secretary_a)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(f"/reports/{report.pk}/docx/").status_code == 404
    assert str(report) not in client.get("/reports/").content.decode()
    bad = client.post("/reports/", {"organization": tree.b.pk, "year": 2025, "kind": "summary"})
    assert bad.status_code == 400 and Job.objects.count() == 1
    ok = client.post("/reports/", {"organization": tree.a.pk, "year": 2025, "kind": "summary"})
    assert ok.status_code == 302 and GeneratedReport.objects.filter(organization=tree.a).count() == 1


def test_bad_year_is_refused_beside_the_field(client, tree, bureau_admin):
    client.force_login(bureau_admin)
    r = client.post("/reports/", {"organization": tree.root.pk, "year": 1990, "kind": "summary"})
    assert r.status_code == 400 and "errorlist" in r.content.decode() and not Job.objects.exists()


def test_a_job_whose_owner_lost_the_scope_fails_with_a_reason(tree, secretary_a):
    from changqing.core.jobs import job_start

    job = job_start(kind="reports.generate", user=secretary_a, func="reports.generate",
                    params={"org_id": tree.b.pk, "year": 2025, "kind": "summary"})
    assert job.status == Job.Status.FAILED and "不在您的数据范围内" in job.error
    assert not GeneratedReport.objects.exists()


def test_command_writes_the_files(year_of_work, tmp_path):
    out = tmp_path / "out"
    call_command("yearly_report", "--org", "T", "--year", "2025", "--kind", "summary", "--out", str(out),
                 stdout=io.StringIO(), stderr=io.StringIO())
    names = sorted(p.name for p in out.iterdir())
    assert "测试党工委2025年度工作总结.docx" in names
    assert "全年共开展组织生活4次" in _text((out / "测试党工委2025年度工作总结.docx").read_bytes())


@pytest.mark.skipif(not stats_available(), reason=NO_STATS)
def test_statistics_report_figures(year_of_work):
    from changqing.reports.statistics import render_statistics, statistics_data
    from changqing.stats import selectors as S

    tree = year_of_work
    data = statistics_data(tree.root, 2025, today=dt.date(2026, 3, 1))
    expected = S.annual_figures(org=tree.root, on=dt.date(2025, 12, 31))
    assert data.now == expected and len(data.trend) == 5
    doc = Document(io.BytesIO(render_statistics(data)))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["项目", "2025年末", "2024年末", "增减"]
    first = table.rows[1].cells
    assert first[0].text.startswith(dict(S.FIGURES)["retirees"]) and first[1].text == f"{expected['retirees']:,}"
    assert len(table.rows) == len(S.FIGURES) + 1
    text = _text(render_statistics(data))
    assert f"共有离退休干部{expected['retirees']:,}人" in text
    assert len(doc.inline_shapes) >= 2  # the trend line and the distribution bars


def test_star_ratings_section_when_the_year_has_ratings(year_of_work):
    from changqing.evaluation.models import Assessment, RubricKind, RubricVersion

    version = RubricVersion.objects.filter(rubric__kind=RubricKind.STAR_RATING).select_related("rubric").first()
    assert version is not None  # the data migration's star-rating rubric
    tree = year_of_work
    for org, grade, state in ((tree.a, "5", "confirmed"), (tree.b, "3", "confirmed")):
        Assessment.objects.create(organization=org, year=2025, rubric=version.rubric, version=version,
                                  kind=RubricKind.STAR_RATING, state=state, grade=grade)
    data = summary.summary_data(tree.root, 2025, today=dt.date(2026, 3, 1))
    assert data.evaluation["total"] == 2 and data.evaluation["high"] == 1
    text = _text(summary.render_summary(data))
    assert "星级评定" in text and "其中四星级及以上1个，占50.0%" in text
    assert "★★★★★（5星） | 1 | 50.0%" in text


def test_summary_dues_count_each_month_of_whoever_owed_it(tree):
    """收缴率 over the members who owed each month: one who died in March counts January–March (and their
    payment), one who joined in July from July; arrears are not reported for the dead."""
    from changqing.dues.models import DuesMonth, DuesPayment
    from changqing.dues.tests.helpers import add_members
    from changqing.members.models import Membership
    from changqing.members.services import retiree_record_death

    steady, died, joined = add_members(tree.a, 3, since=dt.date(2024, 1, 1))  # 4000 × 0.5 % = 20元 a month
    Membership.objects.filter(pk=joined.pk).update(joined_on=dt.date(2025, 7, 1))

    def pay(m, first, months):
        p = DuesPayment.objects.create(membership=m, organization=tree.a, first_month=first, months=months,
                                       amount=Decimal("20") * months, paid_on=first)
        DuesMonth.objects.bulk_create([DuesMonth(membership=m, month=dt.date(2025, first.month + k, 1),
                                                 amount_due=Decimal("20"), payment=p) for k in range(months)])

    pay(steady, dt.date(2025, 1, 1), 12)
    pay(died, dt.date(2025, 1, 1), 1)
    pay(joined, dt.date(2025, 7, 1), 6)
    retiree_record_death(retiree=died.retiree, on=dt.date(2025, 3, 15))
    dues = summary.summary_data(tree.a, 2025, today=dt.date(2026, 3, 1)).dues
    assert dues["due"] == Decimal("20") * (12 + 3 + 6) and dues["paid"] == Decimal("20") * (12 + 1 + 6)
    assert dues["rate"] == pytest.approx(90.5)
    assert dues["due_by_month"][1] == Decimal("40") and dues["paid_by_month"][1] == Decimal("20")
    assert dues["due_by_month"][3] == Decimal("20")  # April: the dead member owes nothing
    assert dues["members"] == 4  # steady, died, joined and 张宏伟 (no base: owed, amount not assessed)
    assert dues["arrears_3"] == dues["arrears_6"] == 0  # died is two months behind at death, and no longer a member
    text = _text(summary.render_summary(summary.summary_data(tree.a, 2025, today=dt.date(2026, 3, 1))))
    assert "收缴率90.5%" in text and "全年应交党费的党员4人" in text
