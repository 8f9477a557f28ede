"""Reads for the finding pages: the records a finding points at, scoped, in a fixed number of queries."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

from changqing.core.scope import restrict
from changqing.life.models import Meeting, MeetingAttachment

from .engine import _lines, _norm_line, normalise

REASONS = {
    "after_death": "去世后仍记为出席",
    "away": "外出期间记为出席",
    "after_transfer_out": "组织关系转出后仍记为出席",
    "immobile_in_person": "行动不便却记为现场出席，且无任何说明",
    "two_places": "同一时间出现在两个地点的会议上",
    "more_present_than_members": "出席人数多于支部党员数",
    "too_few_candidates": "候选人数少于应选名额的1.2倍（差额不足）",
    "votes_exceed_present": "得票数超过实到会人数",
    "votes_total_exceed": "全部候选人得票合计超过实到会人数×应选名额（每人每个名额最多投一票）",
    "before_closed_term_began": "选举日期早于其结束的那届任期的开始日期",
    "overlapping_terms": "前后两届任期重叠",
    "secretary_not_full_member": "选举时书记尚不是正式党员",
    # election_timing (DOMAIN.md §3 rule 5, 选举工作条例第三条)
    "late_without_approval": "任期届满后延期换届，未记录上级党组织的批复",
    "early_without_approval": "任期届满前提前换届，未记录上级党组织的批复",
    "term_expired": "任期已届满，尚未换届选举",
}


def reason_labels(evidence: dict) -> list[str]:
    return [REASONS.get(r.get("why"), r.get("why", "")) for r in evidence.get("reasons", [])]


def finding_meetings(finding, user) -> list[Meeting]:
    ids = finding.record_ids.get("meetings", [])
    rows = restrict(Meeting.objects.filter(pk__in=ids).select_related("organization", "kind"), user)
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda m: order.get(m.pk, 0))


def finding_photos(finding, user) -> list[MeetingAttachment]:
    ids = finding.record_ids.get("attachments", [])
    return list(restrict(MeetingAttachment.objects.filter(pk__in=ids)
                         .select_related("meeting__organization"), user).order_by("pk"))


def finding_assessments(finding, user) -> list:
    """The star-rating assessments a rating contradiction is about, with the item the reviewer scored."""
    ids = finding.record_ids.get("assessments", [])
    if not ids:
        return []
    from changqing.evaluation.models import Assessment

    return list(restrict(Assessment.objects.filter(pk__in=ids).select_related("organization"), user))


def figures_text(evidence: dict) -> str:
    """The records' figures behind a rating item in one sentence (已开 5 / 应开 12（41.7%）)."""
    from changqing.evaluation.metrics import METRICS, describe

    if evidence.get("metric") not in METRICS:
        return ""
    return describe(evidence["metric"], evidence.get("figures") or {})


def _key(line: str, normalised: bool) -> str:
    return _norm_line(normalise(line)) if normalised else _norm_line(line)


def highlighted(text: str, shared: set[str], normalised: bool = False) -> str:
    """The minutes as HTML lines, lines shared with the other record wrapped in <mark> (compared with names,
    dates, places and numbers normalised when the finding was found that way)."""
    out = []
    for line in _lines(text):
        html = escape(line)
        out.append(f"<mark>{html}</mark>" if _key(line, normalised) in shared else html)
    return mark_safe("<br>".join(out))


def shared_norms(evidence: dict) -> set[str]:
    return {_key(x, bool(evidence.get("normalised"))) for x in evidence.get("shared_passages", [])}


