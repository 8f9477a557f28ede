"""The background job that generates a yearly document (core.jobs), with progress."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from changqing.core.scope import restrict
from changqing.core.jobs import JobError, job_progress, register_job
from changqing.orgs.models import Organization

from .services import report_generate


@register_job("reports.generate", title="生成年度报告")
def generate(job, *, org_id: int, year: int, kind: str):
    user = get_user_model().objects.get(pk=job.owner_id)
    # The owner's scope is checked again here: a job may run long after the request that started it.
    org = restrict(Organization.objects.filter(pk=org_id), user, "export").first()
    if org is None:
        raise JobError("该单位不在您的数据范围内，不能生成它的年度报告")
    report = report_generate(organization=org, year=year, kind=kind, user=user, job=job,
                             progress=lambda p, m: job_progress(job, p, m))
    return {"url": report.get_absolute_url(), "label": "查看并下载", "summary": f"已生成《{report}》",
            "report_id": report.pk}
