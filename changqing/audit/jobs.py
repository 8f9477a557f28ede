"""The audit as a background job over any subtree and year, with progress on the job page."""
from django.urls import reverse

from changqing.core.jobs import JobError, job_progress, register_job
from changqing.orgs.models import Organization

from .services import findings_store, run_integrity_audit

KIND_LABELS = {"backfill": "事后补录", "rush": "突击补录", "copied_minutes": "雷同记录",
               "impossible_attendance": "不可能的出席", "election_contradiction": "选举矛盾",
               "rating_contradiction": "评星矛盾", "photo_reuse": "重复照片",
               "election_timing": "换届时间"}


@register_job("audit.run", title="诚信审计")
def audit_job(job, *, org_id: int, year: int):
    try:
        root = Organization.objects.get(pk=org_id)
    except Organization.DoesNotExist:
        raise JobError("要审计的党组织已不存在") from None
    job_progress(job, 5, "正在读取记录")

    def progress(done, total, kind):
        job_progress(job, 10 + 80 * done // total, f"已完成：{KIND_LABELS.get(kind, kind)}（{done}/{total}）")

    hits = run_integrity_audit(root=root, year=year, progress=progress)
    job_progress(job, 95, f"共发现 {len(hits)} 条，正在保存")
    stats = findings_store(hits=hits, year=year)
    return {"url": reverse("audit:findings") + f"?period={year}&q={root.code}", "label": "查看审计发现",
            "summary": f"{root.name} {year}年度：发现 {len(hits)} 条，其中新增 {stats['new']} 条，"
                       f"证据变化 {stats['changed']} 条（重新打开 {stats['reopened']} 条）"}
