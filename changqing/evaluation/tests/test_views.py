"""Pages: scope, the explain page's links lead to lists whose counts equal the figures, query counts, the job."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from changqing.core.roles import Role
from changqing.core.models import Job
from changqing.evaluation import metrics, services
from changqing.evaluation.models import Assessment, ItemScore, Rubric
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

from .conftest import TODAY, YEAR, build_branch_year


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def star(tree):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    return {a.organization_id: a for a in services.assessments_compute(
        orgs=[tree.a, tree.b], year=YEAR, rubric=Rubric.objects.get(code="star"), today=TODAY)}


def _count(html: str) -> int:
    return int(re.search(r"共 (\d+) 条", html).group(1))


def test_secretary_sees_only_own_branch(tree, star, secretary_a):
    c = _client(secretary_a)
    a, b = star[tree.a.pk], star[tree.b.pk]
    assert c.get(a.get_absolute_url()).status_code == 200
    assert c.get(b.get_absolute_url()).status_code == 404
    assert c.get(reverse("evaluation:records", args=[b.pk, metrics.MEETINGS_HELD])).status_code == 404
    assert c.get(reverse("evaluation:history", args=[tree.b.code])).status_code == 404
    grades = c.get(reverse("evaluation:grades") + f"?year={YEAR}").content.decode()
    assert tree.a.name in grades and tree.b.name not in grades
    assert c.get("/api/v1/evaluation/assessments/").json()["count"] == 1
    # a secretary reads but does not score, not even their own branch
    s = ItemScore.objects.get(assessment=a, item__code="M2")
    assert c.get(reverse("evaluation:score", args=[s.pk])).status_code == 403
    assert "评分</a>" not in c.get(a.get_absolute_url()).content.decode()
    assert c.get(reverse("evaluation:home")).url == reverse("evaluation:history", args=[tree.a.code])


def test_reviewer_cannot_score_outside_scope(tree, star):
    gw = make_user("gw_a", Role.COMMITTEE_MEMBER, organization=tree.a)
    c = _client(gw)
    sb = ItemScore.objects.get(assessment=star[tree.b.pk], item__code="M2")
    assert c.post(reverse("evaluation:score", args=[sb.pk]), {"value": "5", "reason": "x"}).status_code == 404
    assert ItemScore.objects.get(pk=sb.pk).reviewer_score is None
    sa = ItemScore.objects.get(assessment=star[tree.a.pk], item__code="M2")
    r = c.post(reverse("evaluation:score", args=[sa.pk]), {"value": "6", "reason": "走访核实"})
    assert r.status_code == 302 and ItemScore.objects.get(pk=sa.pk).final_score == 6


def test_score_form_shows_errors_beside_fields(tree, star, bureau_admin):
    s = ItemScore.objects.get(assessment=star[tree.a.pk], item__code="D2")
    r = _client(bureau_admin).post(reverse("evaluation:score", args=[s.pk]), {"value": "15", "reason": ""})
    assert r.status_code == 200 and "调整数据计算的得分必须填写理由" in r.content.decode()
    assert ItemScore.objects.get(pk=s.pk).reviewer_score is None


def test_explain_links_lead_to_lists_with_the_same_counts(tree, star, bureau_admin):
    c = _client(bureau_admin)
    a = star[tree.a.pk]
    page = c.get(a.get_absolute_url()).content.decode()
    scores = {s.item.scoring_metric: s for s in a.scores.select_related("item") if s.item.source == "data"}
    for metric, s in scores.items():
        url = reverse("evaluation:records", args=[a.pk, metric])
        assert url in page, metric
        html = c.get(url).content.decode()
        f = s.figures
        rows = int(re.search(r'id="row-count">(\d+)<', html).group(1))
        expected = {metrics.MEETINGS_HELD: lambda: len(f["rules"]), metrics.ATTENDANCE_RATE: lambda: f["meetings"],
                    metrics.HOME_DELIVERY: lambda: f["immobile"], metrics.CARE_VISITS: lambda: f["retirees"],
                    metrics.DUES_ARREARS: lambda: f["arrears"], metrics.TERM_ON_TIME: lambda: 1}[metric]()
        assert rows == expected, metric
        assert metrics.describe(metric, f) in html  # stored figures and the live ones agree
    # each rule's link opens the meetings list with exactly the records counted as held
    for r in scores[metrics.MEETINGS_HELD].figures["rules"]:
        if r["ids"] and not r["per_member"]:
            url = f"{reverse('life:meetings')}?ids={','.join(map(str, r['ids']))}"
            assert url.replace("&", "&amp;") in page or url in page
            assert _count(c.get(url).content.decode()) == r["held"]
    # the attendance rows add up to the figure
    html = c.get(reverse("evaluation:records", args=[a.pk, metrics.ATTENDANCE_RATE])).content.decode()
    cells = re.findall(r'data-label="登记人次">(\d+)<', html)
    assert sum(map(int, cells)) == scores[metrics.ATTENDANCE_RATE].figures["recorded"]


def test_pages_render_and_query_counts_do_not_grow(tree, star, bureau_admin, django_assert_max_num_queries):
    c = _client(bureau_admin)
    urls = [reverse("evaluation:grades") + f"?year={YEAR}", reverse("evaluation:assessments"),
            star[tree.a.pk].get_absolute_url(), reverse("evaluation:history", args=[tree.a.code]),
            reverse("evaluation:rubrics"), reverse("evaluation:designations"), reverse("evaluation:ranking")]
    for u in urls:
        assert c.get(u).status_code == 200, u
    small = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for u in urls:
        with CaptureQueriesContext(connection) as ctx:
            c.get(u)
        small[u] = len(ctx.captured_queries)
    more = []
    for i in range(5):
        b = Organization.objects.create(code=f"T-Y{i}", name=f"又一支部{i}", kind=OrgKind.BRANCH, parent=tree.root)
        build_branch_year(b)
        more.append(b)
    services.assessments_compute(orgs=more, year=YEAR, rubric=Rubric.objects.get(code="star"), today=TODAY)
    for u in urls:
        with django_assert_max_num_queries(small[u] + 2):
            c.get(u)
    xlsx = c.get(reverse("evaluation:grades") + f"?year={YEAR}&export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_grades_movement_filter(tree, star, bureau_admin):
    last = services.assessments_compute(orgs=[tree.a, tree.b], year=YEAR - 1, rubric=Rubric.objects.get(code="star"),
                                        today=TODAY)
    Assessment.objects.filter(pk=last[0].pk).update(grade="1", grade_label="一星级")
    Assessment.objects.filter(pk=last[1].pk).update(grade="5", grade_label="五星级")
    Assessment.objects.filter(year=YEAR).update(grade="3", grade_label="三星级")
    c = _client(bureau_admin)
    up = c.get(reverse("evaluation:grades") + f"?year={YEAR}&movement=up").content.decode()
    down = c.get(reverse("evaluation:grades") + f"?year={YEAR}&movement=down").content.decode()
    up_org = Assessment.objects.get(pk=last[0].pk).organization.name
    assert up_org in up and "晋位升级" in up and _count(up) == 1 and _count(down) == 1


def test_bulk_compute_job(tree, bureau_admin):
    build_branch_year(tree.a)
    c = _client(bureau_admin)
    rubric = Rubric.objects.get(code="star")
    r = c.post(reverse("evaluation:compute"), {"year": str(YEAR), "rubric": rubric.pk, "org": ""})
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == Job.Status.SUCCEEDED, job.error
    assert Assessment.objects.filter(year=YEAR, rubric=rubric).count() == 2
    assert "已计算 2 个支部" in job.result["summary"]
    r = c.post(reverse("evaluation:compute"), {"year": str(YEAR), "rubric": rubric.pk, "org": "NOPE"})
    assert "不在您的管理范围内" in r.content.decode()


def test_recompute_button_and_home_panel(tree, star, secretary_a):
    a = star[tree.a.pk]
    c = _client(secretary_a)
    r = c.post(reverse("evaluation:recompute", args=[a.pk]))
    assert r.status_code == 302
    home = c.get("/").content.decode()
    assert "支部星级评定" in home and "失分" in home
    assert c.post(reverse("evaluation:recompute", args=[star[tree.b.pk].pk])).status_code == 404


def test_evidence_upload_checked_and_served_in_scope(tree, star, bureau_admin, secretary_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    s = ItemScore.objects.get(assessment=star[tree.a.pk], item__code="M2")
    c = _client(bureau_admin)
    bad = SimpleUploadedFile("记录.docx", b"PK\x03\x04", content_type="application/octet-stream")
    r = c.post(reverse("evaluation:score", args=[s.pk]), {"value": "8", "reason": "核实", "file": bad})
    assert r.status_code == 200 and "只能上传 JPG、PNG 照片或 PDF 文件" in r.content.decode()
    assert ItemScore.objects.get(pk=s.pk).reviewer_score is None  # all or nothing
    fake = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = c.post(reverse("evaluation:score", args=[s.pk]), {"value": "8", "reason": "核实", "file": fake})
    assert "PDF 文件已损坏或不是真正的 PDF" in r.content.decode()  # parsed by pypdf, not sniffed
    import io

    from pypdf import PdfWriter

    writer, buf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=100, height=100)
    writer.write(buf)
    pdf = SimpleUploadedFile("台账.pdf", buf.getvalue(), content_type="application/pdf")
    r = c.post(reverse("evaluation:score", args=[s.pk]), {"value": "8", "reason": "核实", "file": pdf,
                                                          "caption": "志愿服务台账"})
    assert r.status_code == 302
    ev = s.evidence.get()
    page = c.get(star[tree.a.pk].get_absolute_url()).content.decode()
    assert "志愿服务台账" in page and reverse("evaluation:evidence_file", args=[ev.pk]) in page
    assert _client(secretary_a).get(reverse("evaluation:evidence_file", args=[ev.pk])).status_code == 200
    other = make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    assert _client(other).get(reverse("evaluation:evidence_file", args=[ev.pk])).status_code == 404


def test_unit_explain_page_lists_its_branches(tree, bureau_admin):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    [u] = services.assessments_compute(orgs=[tree.root], year=YEAR, rubric=Rubric.objects.get(code="responsibility"),
                                       today=TODAY)
    c = _client(bureau_admin)
    page = c.get(u.get_absolute_url()).content.decode()
    assert "各支部的数据（2 个支部）" in page
    html = c.get(reverse("evaluation:records", args=[u.pk, metrics.ATTENDANCE_RATE])).content.decode()
    assert tree.a.name in html and tree.b.name in html and 'id="row-count">2<' in html
    ranking = c.get(reverse("evaluation:ranking") + f"?year={YEAR}").content.decode()
    assert tree.root.name in ranking


def test_evaluate_command(tree):
    import io

    from django.core.management import CommandError, call_command

    build_branch_year(tree.a)
    out = io.StringIO()
    call_command("evaluate", "--year", str(YEAR), "--org", "T", stdout=out)
    assert "已计算 2 个" in out.getvalue()
    assert Assessment.objects.filter(year=YEAR, kind="star_rating").count() == 2
    with pytest.raises(CommandError, match="没有编码为「nope」的考核细则"):
        call_command("evaluate", "--year", str(YEAR), "--rubric", "nope")
