"""Findings pages: list (scope, filter, export, query count), evidence, confirm/dismiss with a reason."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from changqing.audit.models import Finding, FindingStatus
from changqing.audit.services import findings_store, run_integrity_audit
from changqing.core.models import OperationLog
from changqing.life.models import Meeting, MeetingKind

MINUTES = ("会议由支部书记主持。\n老党员张建国发言，谈到社区垃圾分类推进中的困难，建议组织党员志愿者每周三上午到小区门口值守。\n"
           "李秀英同志结合自己在医院工作三十年的经历，讲述了为人民服务的体会，大家深受触动。\n"
           "会议决定下月开展走访慰问困难党员活动，由组织委员负责联系街道。")


def _meeting(org, day, entered, **kw):
    return Meeting.objects.create(organization=org, kind=MeetingKind.objects.get(code="group_meeting"), held_on=day,
                                  topic="学习", place="活动室",
                                  created_at=timezone.make_aware(dt.datetime.combine(entered, dt.time(9))), **kw)


def _audit(tree):
    findings_store(hits=run_integrity_audit(root=tree.root, year=2025), year=2025)


@pytest.mark.parametrize("n", [2, 15])
def test_list_queries_do_not_grow(client, tree, bureau_admin, django_assert_max_num_queries, n):
    for i in range(n):
        # one group meeting a day per branch (life_meeting_one_held_per_day): past twelve, the 2nd of the month
        held = dt.date(2025, 1 + i % 12, 1 + i // 12)
        _meeting(tree.a if i % 2 else tree.b, held, held + dt.timedelta(days=40 + i))
    _audit(tree)
    client.force_login(bureau_admin)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("audit:findings") + "?kind=backfill&sort=-score")
    assert r.status_code == 200
    assert r.content.decode().count("事后补录") >= n


def test_scope_filter_and_export(client, tree, secretary_a, bureau_admin):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _meeting(tree.b, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _audit(tree)
    fb = Finding.objects.get(organization=tree.b)
    client.force_login(secretary_a)
    page = client.get(reverse("audit:findings")).content.decode()
    assert "甲支部" in page and "乙支部专有名称" not in page
    assert client.get(reverse("audit:finding_detail", args=[fb.pk])).status_code == 404
    client.force_login(bureau_admin)
    assert "共 0 条" in client.get(reverse("audit:findings") + "?status=dismissed").content.decode()
    r = client.get(reverse("audit:findings") + "?export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT).exists()
    assert "请输入四位年份" in client.get(reverse("audit:findings") + "?period=abc").content.decode()


def test_copied_minutes_side_by_side(client, tree, bureau_admin):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 3, 2), minutes=MINUTES)
    _meeting(tree.b, dt.date(2025, 4, 1), dt.date(2025, 4, 2), minutes=MINUTES.replace("三十年", "二十八年"))
    _audit(tree)
    f = Finding.objects.get(kind="copied_minutes")
    client.force_login(bureau_admin)
    page = client.get(f.get_absolute_url()).content.decode()
    assert "两份会议记录对照" in page
    assert "<mark>老党员张建国发言" in page
    assert "<mark>李秀英" not in page  # the edited line is not shown as shared


def test_reviewer_confirms_and_dismisses_with_reason(client, tree, bureau_admin, secretary_a):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _audit(tree)
    f = Finding.objects.get()
    url = f.get_absolute_url()
    # A branch secretary sees the finding but may not decide on their own branch.
    client.force_login(secretary_a)
    page = client.get(url).content.decode()
    assert "事后补录" in page and "保存核实结论" not in page
    client.post(url, {"status": "dismissed", "reason": "自己排除"})
    f.refresh_from_db()
    assert f.status == FindingStatus.OPEN
    client.force_login(bureau_admin)
    r = client.post(url, {"status": "dismissed", "reason": "   "})
    assert "请填写核实说明" in r.content.decode()
    r = client.post(url, {"reason": "看过"})
    assert "请选择核实结论" in r.content.decode()
    f.refresh_from_db()
    assert f.status == FindingStatus.OPEN and f.reason == ""
    r = client.post(url, {"status": "confirmed", "reason": "经查确系年底补录"}, follow=True)
    f.refresh_from_db()
    assert f.status == FindingStatus.CONFIRMED and f.decided_by == bureau_admin
    page = r.content.decode()
    assert "已确认" in page and "经查确系年底补录" in page


def test_home_panel_and_nav(client, tree, bureau_admin):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _audit(tree)
    client.force_login(bureau_admin)
    page = client.get("/").content.decode()
    assert "待核实的审计发现" in page and reverse("audit:findings") in page


def test_audit_runs_as_a_background_job(client, tree, bureau_admin, secretary_a):
    from changqing.core.models import Job

    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    client.force_login(secretary_a)
    assert client.get(reverse("audit:run")).status_code == 403
    client.force_login(bureau_admin)
    r = client.post(reverse("audit:run"), {"organization": tree.root.pk, "year": "二〇二五"})
    assert "请输入四位年份" in r.content.decode()
    r = client.post(reverse("audit:run"), {"organization": tree.a.pk, "year": "2025"})
    assert "所选党组织不在您的管理范围内" in r.content.decode()  # a branch alone is audited from its parent
    assert not Job.objects.exists() and not Finding.objects.exists()
    r = client.post(reverse("audit:run"), {"organization": tree.root.pk, "year": "2025"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Finding.objects.filter(kind="backfill", organization=tree.a).count() == 1
    assert "发现 1 条" in job.result["summary"]
