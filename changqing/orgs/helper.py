"""换届选举助手 (the election helper): reads and the two documents, for one branch's coming election.

One `ElectionPlan` per coming 换届 holds what the secretary decided (who is excused with approval, the
seats, the candidates); everything else is read from the records: the term's end, the full members due
to attend (DOMAIN.md §3 rule 6), the quorum (>4/5), the candidates needed (≥ seats × 1.2, rounded up)
and, after the vote, the winners by the threshold in force (rules.check_election through
services.election_record). The writes are in services.py (election_plan_*).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from .models import CommitteeForm, CommitteeTerm, ElectionPlan, ExcuseReason, Organization
from .rules import OrgRules, add_years, committee_form_check
from .selectors import eligible_memberships, rules_for


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    import calendar

    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def current_term(org: Organization) -> CommitteeTerm | None:
    return CommitteeTerm.objects.filter(organization=org, ended_on__isnull=True).order_by("-start_on").first()


def helper_due(term: CommitteeTerm | None, today: dt.date, rules: OrgRules) -> bool:
    """The helper is offered when the term ends within N months (orgs.thresholds) or has expired, or
    when the branch has no term recorded at all."""
    return term is None or term.end_on <= _add_months(today, rules.election_helper_months)


def open_plan(org: Organization) -> ElectionPlan | None:
    """The plan not yet ended by a recorded election, if any."""
    return ElectionPlan.objects.filter(organization=org, election__isnull=True).order_by("-id").first()


@dataclass
class Attendee:
    membership: object
    name: str
    suggested: str = ""  # an ExcuseReason the records suggest (bedridden, frail, living away)
    suggested_why: str = ""
    excused: str = ""
    approval: str = ""


@dataclass
class Roll:
    """Step 1's figures for one day."""

    on: dt.date
    term: CommitteeTerm | None
    rules: OrgRules
    attendees: list[Attendee] = field(default_factory=list)
    seats: int = 1

    @property
    def full_members(self) -> int:
        return len(self.attendees)

    @property
    def excused(self) -> list[Attendee]:
        return [a for a in self.attendees if a.excused]

    @property
    def due(self) -> int:
        return self.full_members - len(self.excused)

    @property
    def quorum(self) -> int:
        """Fewest present for a valid election: strictly more than 4/5 of those due."""
        r = self.rules
        return self.due * r.quorum_numerator // r.quorum_denominator + 1 if self.due else 0

    @property
    def candidates_needed(self) -> int:
        return self.rules.candidates_needed(self.seats)

    @property
    def committee(self) -> bool:
        return self.full_members >= self.rules.committee_from_full_members

    @property
    def form_label(self) -> str:
        if self.committee:
            return (f"设支部委员会（正式党员{self.full_members}人，{self.rules.committee_from_full_members}人以上），"
                    f"委员{self.rules.committee_min_size}至{self.rules.committee_usual_max_size}人")
        return (f"不设支部委员会（正式党员{self.full_members}人，不足{self.rules.committee_from_full_members}人），"
                f"设书记一名，可设副书记一名")

    @property
    def form(self) -> str:
        return CommitteeForm.COMMITTEE if self.committee else CommitteeForm.SECRETARY

    def default_seats(self) -> int:
        if not self.committee:
            return 1
        return self.rules.committee_min_size if self.full_members < 15 else self.rules.committee_usual_max_size

    def seat_errors(self, seats: int) -> list[str]:
        errors, _ = committee_form_check(full_members=self.full_members, seats=seats, form=None, rules=self.rules)
        return errors

    def seat_warnings(self, seats: int) -> list[str]:
        _, warnings = committee_form_check(full_members=self.full_members, seats=seats, form=None, rules=self.rules)
        return warnings

    def excused_note(self) -> str:
        return "；".join(f"{a.name}（{ExcuseReason(a.excused).label}，{a.approval}）" for a in self.excused)[:200]


def roll_for(org: Organization, plan: ElectionPlan | None, on: dt.date) -> Roll:
    """The full members due on `on`, with the excuses the plan holds and those the records suggest:
    卧床 from 健康状况, 年老体弱 from 行动不便 or a poor 健康状况, living away from a current 外出流动."""
    from changqing.members.models import Absence, Health

    rules = rules_for(org, on)
    members = list(eligible_memberships(org, on))
    retiree_ids = [m.retiree_id for m in members]
    away = dict(Absence.objects.filter(retiree_id__in=retiree_ids, start_on__lte=on)
                .filter(Q(end_on__isnull=True) | Q(end_on__gt=on)).values_list("retiree_id", "place"))
    chosen = {int(e["membership"]): e for e in (plan.excused if plan else [])}
    roll = Roll(on=on, term=current_term(org), rules=rules)
    for m in members:
        r = m.retiree
        a = Attendee(membership=m, name=r.name)
        if r.health == Health.BEDRIDDEN:
            a.suggested, a.suggested_why = ExcuseReason.BEDRIDDEN, "健康状况：卧床"
        elif r.pk in away:
            a.suggested, a.suggested_why = ExcuseReason.AWAY, f"外出：{away[r.pk]}"
        elif r.mobility_impaired or r.health == Health.POOR:
            a.suggested, a.suggested_why = ExcuseReason.FRAIL, "行动不便" if r.mobility_impaired else "健康状况较差"
        if m.pk in chosen:
            a.excused, a.approval = chosen[m.pk].get("reason", ""), chosen[m.pk].get("approval", "")
        roll.attendees.append(a)
    roll.seats = plan.seats if plan and plan.seats else roll.default_seats()
    return roll


def plan_candidates(plan: ElectionPlan, roll: Roll) -> list:
    """The plan's candidates as memberships, in the roll's (pinyin) order; those no longer full members drop."""
    ids = {int(x) for x in plan.candidates}
    return [a.membership for a in roll.attendees if a.membership.pk in ids]


# -- documents -------------------------------------------------------------------------------------

def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def request_docx(org: Organization, plan: ElectionPlan, roll: Roll, today: dt.date) -> bytes:
    """关于召开党员大会进行换届选举的请示: the plan and the candidate list, to the upper level."""
    from changqing.core import documents as D

    doc = D.new_document()
    D.para(doc, f"关于{org.name}换届选举的请示", size=22, bold=True, align="center", space_after=18)
    upper = org.parent.name if org.parent_id else "上级党组织"
    D.para(doc, f"{upper}：", indent=False)
    term = roll.term
    if term is not None:
        state = "已于" if term.end_on < today else "将于"
        number = f"第{term.number}届" if term.number else "本届"
        D.para(doc, f"我支部{number}{term.get_form_display()}于{_cn_date(term.start_on)}产生，任期{term.years}年，"
                    f"{state}{_cn_date(term.end_on)}届满。根据《中国共产党支部工作条例（试行）》和《中国共产党基层组织"
                    f"选举工作条例》的规定，经支部研究，拟召开党员大会进行换届选举。现将有关事项请示如下：")
    else:
        D.para(doc, "根据《中国共产党支部工作条例（试行）》和《中国共产党基层组织选举工作条例》的规定，经支部研究，"
                    "拟召开党员大会选举产生支部班子。现将有关事项请示如下：")
    D.heading(doc, "一、党员基本情况")
    excused = roll.excused
    text = f"我支部现有有选举权的正式党员{roll.full_members}人。"
    if excused:
        text += (f"其中{len(excused)}人经批准不计入应到会人数："
                 + "；".join(f"{a.name}（{ExcuseReason(a.excused).label}，{a.approval}）" for a in excused) + "。")
    text += f"应到会{roll.due}人，实到会须超过{roll.due}人的{roll.rules.quorum_numerator}/{roll.rules.quorum_denominator}"
    text += f"（至少{roll.quorum}人）选举方为有效。"
    D.para(doc, text)
    D.heading(doc, "二、班子设置和名额")
    if roll.committee:
        D.para(doc, f"拟设支部委员会，由{plan.seats}名委员组成，书记、副书记由新一届支部委员会第一次会议选举产生。")
    else:
        extra = "设书记一名、副书记一名" if plan.seats == 2 else "设书记一名"
        D.para(doc, f"我支部正式党员不足{roll.rules.committee_from_full_members}人，不设支部委员会，{extra}，"
                    f"由党员大会选举产生。")
    D.heading(doc, "三、候选人预备人选")
    cands = plan_candidates(plan, roll)
    D.para(doc, f"经党员酝酿推荐，拟提名候选人预备人选{len(cands)}名（应选{plan.seats}名，实行差额选举，候选人数不少于"
                f"应选人数的{roll.rules.candidate_ratio}倍即{roll.candidates_needed}名），按姓氏拼音排序：")
    D.table(doc, ["序号", "姓名", "性别", "出生年月", "入党时间"],
            [[i, m.retiree.name, m.retiree.get_gender_display(),
              f"{m.retiree.birth_date:%Y.%m}" if m.retiree.birth_date else "",
              f"{m.joined_on:%Y.%m}" if m.joined_on else ""] for i, m in enumerate(cands, 1)],
            widths_cm=[1.5, 3.5, 2, 3, 3])
    D.heading(doc, "四、选举时间和方式")
    when = _cn_date(plan.planned_on) if plan.planned_on else "批复后适当时间"
    D.para(doc, f"拟于{when}召开党员大会，采用无记名投票、差额选举的方式进行。被选举人获得的赞成票超过"
                f"{'应到会' if roll.rules.win_basis == 'due' else '实到会'}有选举权人数的半数，始得当选。")
    D.para(doc, "妥否，请批示。")
    D.para(doc, org.name, align="right", space_after=0)
    D.para(doc, _cn_date(today), align="right")
    return D.to_bytes(doc)


def ballots_docx(org: Organization, plan: ElectionPlan, roll: Roll) -> bytes:
    """One ballot per attendee due (应到会), each on its own page: the candidates, the seats, how to mark."""
    from docx.enum.text import WD_BREAK

    from changqing.core import documents as D

    cands = plan_candidates(plan, roll)
    doc = D.new_document(margins_cm=(2.5, 2.5, 2.5, 2.5))
    what = "支部委员会委员" if roll.committee else ("书记、副书记" if plan.seats == 2 else "书记")
    total = max(roll.due, 1)
    for n in range(1, total + 1):
        D.para(doc, f"{org.name}换届选举选票", size=22, bold=True, align="center", space_after=6)
        D.para(doc, f"（选举{what}　应选{plan.seats}名　候选人{len(cands)}名）", size=14, align="center")
        D.table(doc, ["候选人姓名（按姓氏拼音排序）", "赞成划“○”　不赞成划“×”"],
                [[m.retiree.name, ""] for m in cands], widths_cm=[8, 8], size=16)
        D.para(doc, "说明：", size=12, bold=True, indent=False, space_after=2)
        for line in (f"1. 赞成的在姓名右侧空格内划“○”，不赞成的划“×”，弃权的不划任何符号。",
                     f"2. 划“○”的人数等于或少于应选名额{plan.seats}名的为有效票，多于{plan.seats}名的为无效票。",
                     "3. 书写请用黑色或蓝色笔，字迹清楚，不得涂改。"):
            D.para(doc, line, size=12, indent=False, space_after=2)
        D.para(doc, f"第{n}张 / 共{total}张", size=10, align="right")
        if n < total:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    return D.to_bytes(doc)
