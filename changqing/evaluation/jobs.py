"""为辖区所有支部计算: the bulk computation as a background job with progress."""
from django.urls import reverse

from changqing.core.jobs import JobError, job_progress, register_job
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from . import selectors, services
from .models import Rubric, RubricKind


@register_job("evaluation.compute", title="计算年度考核")
def compute_job(job, *, root: int, year: int, rubric: int):
    try:
        org = Organization.objects.get(pk=root)
        rb = Rubric.objects.get(pk=rubric)
    except (Organization.DoesNotExist, Rubric.DoesNotExist):
        raise JobError("要计算的党组织或考核细则已不存在") from None
    job_progress(job, 2, "正在确定考核对象")
    if rb.kind == RubricKind.RESPONSIBILITY:
        orgs, _ = selectors.responsibility_units(org)
        what, url = "个单位", reverse("evaluation:ranking") + f"?year={year}"
    else:
        orgs = list(Organization.objects.filter(in_subtree(org.path), kind=OrgKind.BRANCH,
                                                dissolved_on__isnull=True).order_by("path"))
        what = "个支部"
        if rb.kind == RubricKind.STAR_RATING:
            url = reverse("evaluation:grades") + f"?year={year}&org={org.code}"
        else:
            url = reverse("evaluation:assessments") + f"?kind={rb.kind}&year={year}&org={org.code}"
    if not orgs:
        raise JobError(f"{org.name}下没有可以考核的组织")
    done = services.assessments_compute(orgs=orgs, year=year, rubric=rb,
                                        progress=lambda p, m: job_progress(job, 5 + p * 0.9, m))
    skipped = len(orgs) - len(done)
    summary = f"{org.name} {year}年「{rb.name}」：已计算 {len(done)} {what}"
    if skipped:
        summary += f"，{skipped} {what}的考核已确认，未改动"
    return {"url": url, "label": "查看结果", "summary": summary}

