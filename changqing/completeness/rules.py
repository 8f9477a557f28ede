"""The completeness rules, as data: which required field of which record, and where to fix it.

Each rule names a model, the records it applies to (`applies`), the condition under which the
required field is missing (`missing`), the ORM path from the model to its Organization, and the
page + anchor that opens the record at that field. Adding a rule is adding one entry to RULES;
a rule whose model belongs to an app that is not installed is left out (`available_rules`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.apps import apps
from django.db.models import Q
from django.urls import reverse


@dataclass(frozen=True)
class Rule:
    key: str
    label: str  # what is missing, as the board says it
    subject: str  # the kind of record, 离退休干部 / 会议记录 …
    model: str  # "app_label.ModelName"
    org: str  # ORM path from the model to its Organization
    applies: Callable[[], Q]
    missing: Callable[[], Q]
    fix_url: Callable[[object], str]  # the record -> the page that edits it, with the field's anchor
    describe: Callable[[object], str]  # the record as the to-fix list names it
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)
    note: str = ""  # shown under the rule: what counts as done
    requires: tuple[str, ...] = field(default=())  # app labels that must be installed
    # For a viewer who may not change the record: the page that shows it (None = get_absolute_url).
    view_url: Callable[[object], str] | None = None

    def model_class(self):
        return apps.get_model(self.model)


def _alive() -> Q:
    from changqing.members.models import PersonStatus
    return Q(status=PersonStatus.ALIVE)


def _living_alone() -> Q:
    from changqing.members.models import Living
    return _alive() & Q(living=Living.ALONE)


def _no_emergency_contact() -> Q:
    from changqing.lifeevents.models import HealthProfile

    family_missing = Q(family_contact="") | Q(family_phone_hash="") | Q(family_phone_hash__isnull=True)
    profiled = (HealthProfile.objects.exclude(emergency_phone_hash="").exclude(emergency_phone_hash__isnull=True)
                .values("retiree_id"))
    return family_missing & ~Q(pk__in=profiled)


def _active_member() -> Q:
    from changqing.members.models import MembershipState, PersonStatus
    return Q(state=MembershipState.ACTIVE, retiree__status=PersonStatus.ALIVE)


def _held_meeting() -> Q:
    from changqing.life.models import MeetingState
    return Q(state=MeetingState.HELD)


def _retiree_edit(anchor: str) -> Callable[[object], str]:
    return lambda r: f"{reverse('members:retiree_edit', args=[r.pk])}#{anchor}"


RULES: list[Rule] = [
    Rule("retiree_id_number", "缺身份证号", "离退休干部", "members.Retiree", "organization",
         applies=_alive, missing=lambda: Q(id_number_hash="") | Q(id_number_hash__isnull=True),
         fix_url=_retiree_edit("id_id_number"), describe=lambda r: r.name,
         select_related=("organization",), order_by=("name_pinyin", "pk"), note="健在的离退休干部都应登记身份证号"),
    Rule("retiree_birth_date", "缺出生日期", "离退休干部", "members.Retiree", "organization",
         applies=_alive, missing=lambda: Q(birth_date__isnull=True),
         fix_url=_retiree_edit("id_birth_date"), describe=lambda r: r.name,
         select_related=("organization",), order_by=("name_pinyin", "pk")),
    # An emergency contact is either the registry's 家属联系人 with 家属电话, or the 紧急联系人电话 of the
    # health and living profile (lifeevents.HealthProfile).
    Rule("alone_emergency_contact", "独居但缺紧急联系人", "独居的离退休干部", "members.Retiree", "organization",
         applies=_living_alone, missing=lambda: _no_emergency_contact(),
         fix_url=_retiree_edit("id_family_contact"), describe=lambda r: r.name,
         select_related=("organization",), order_by=("name_pinyin", "pk"),
         note="独居老人要有家属联系人和家属电话，出事时能找到人"),
    Rule("member_joined_on", "缺入党日期", "党员", "members.Membership", "organization",
         applies=_active_member, missing=lambda: Q(joined_on__isnull=True),
         fix_url=lambda m: f"{reverse('members:membership_edit', args=[m.retiree_id])}#id_joined_on",
         describe=lambda m: m.retiree.name, select_related=("retiree", "organization"),
         view_url=lambda m: reverse("members:retiree_detail", args=[m.retiree_id]),
         order_by=("retiree__name_pinyin", "pk")),
    Rule("meeting_minutes", "会议没有会议记录", "已召开的会议", "life.Meeting", "organization",
         applies=_held_meeting, missing=lambda: Q(minutes=""),
         fix_url=lambda m: f"{reverse('life:meeting_edit', args=[m.pk])}#id_minutes",
         describe=lambda m: f"{m.held_on:%Y-%m-%d} {m.kind.name}：{m.topic}",
         view_url=lambda m: reverse("life:meeting_detail", args=[m.pk]),
         select_related=("kind", "organization"), order_by=("-held_on", "pk"), requires=("life",)),
    Rule("term_election", "任期没有选举记录", "委员会任期", "orgs.CommitteeTerm", "organization",
         applies=Q, missing=lambda: Q(election__isnull=True),
         fix_url=lambda t: f"{reverse('orgs:committee', args=[t.organization.code])}#h-hist",
         describe=lambda t: str(t), select_related=("organization",), order_by=("-start_on", "pk"),
         note="每一届班子都应有产生它的换届选举记录"),
]
RULE_BY_KEY = {r.key: r for r in RULES}
assert len(RULE_BY_KEY) == len(RULES)


def available_rules() -> list[Rule]:
    return [r for r in RULES if all(apps.is_installed(f"changqing.{a}") for a in r.requires)]
