"""Demo life events (county scale): a hospital stay, health profiles and a silver talent in every branch, someone
living elsewhere in every branch, the death records (with their checklists) of the people the members demo made deceased,
and a fresh stay for one of the demo carer's pairs so their 今天要办 shows a hospital visit."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from changqing.care.models import Pairing
from changqing.core.tree import in_subtree
from changqing.demo import names
from changqing.members.models import Retiree
from changqing.orgs.models import Organization, OrgKind

from . import rules, services
from .models import (
    Arrangement, Availability, ChecklistItem, Chronic, Confirmation, DeathCause, DeathRecord, HealthProfile,
    LivingElsewhere, Mobility,
    SilverTalent, Specialty, StayReason, TaskStatus, join_codes,
)

HOSPITALS = ["县人民医院", "县中医院", "市第一人民医院", "市中心医院"]
WARDS = ["心内科", "呼吸内科", "骨科", "神经内科", "老年病科"]
PLACES = [("广东省深圳市", "南山区某社区党委"), ("湖南省长沙市", "岳麓区某街道党工委"), ("海南省海口市", "美兰区某社区党支部"),
          ("上海市浦东新区", "某街道离退休党支部")]
PROFESSIONS = ["中学语文教师", "内科医生", "会计师", "农艺师", "律师", "文化馆干部", "工程师"]


def extend(ctx):
    if ctx.scale != "county":
        return
    rng = ctx.rng
    today = min(ctx.today, timezone.localdate())
    branches = list(Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH).order_by("path"))
    people: dict[int, list[Retiree]] = {}
    for r in Retiree.objects.filter(in_subtree(ctx.root.path, "organization")).select_related("organization") \
            .order_by("id"):
        people.setdefault(r.organization_id, []).append(r)
    for branch in branches:
        alive = [r for r in people.get(branch.pk, []) if r.status == "alive"]
        if len(alive) < 4:
            continue
        rng.shuffle(alive)
        patient, talent, *others = alive
        admitted = today - dt.timedelta(days=rng.randint(1, 200))
        discharged = admitted + dt.timedelta(days=rng.randint(3, 20))
        services.stay_admit(retiree=patient, hospital=rng.choice(HOSPITALS), ward=rng.choice(WARDS),
                            reason=rng.choice(StayReason.values), admitted_on=admitted,
                            discharged_on=discharged if discharged < today else None)
        for r in (patient, others[0]):
            profile = HealthProfile.objects.filter(retiree=r).first() or HealthProfile(retiree=r)
            profile.contract_hospital = rng.choice(HOSPITALS)
            profile.mobility = rng.choice([Mobility.FREE, Mobility.FREE, Mobility.AID, Mobility.WHEELCHAIR])
            profile.chronic = join_codes(rng.sample(Chronic.values, rng.randint(0, 2)))
            profile.emergency_name = names.person_name(rng, rng.choice(["male", "female"]), 1975)
            profile.emergency_relation = rng.choice(["儿子", "女儿", "侄子", "儿媳"])
            profile.emergency_phone = names.phone(rng)
            profile.save()
        SilverTalent.objects.create(retiree=talent, specialties=join_codes(rng.sample(Specialty.values, 2)),
                                    past_profession=rng.choice(PROFESSIONS), willing=rng.random() < 0.8,
                                    availability=rng.choice(Availability.values))
        # Every branch has someone living with their children elsewhere.
        place, host = rng.choice(PLACES)
        temporary = rng.random() < 0.5
        services.elsewhere_save(record=LivingElsewhere(
            retiree=others[1], start_on=today - dt.timedelta(days=rng.randint(200, 1500)), place=place,
            host_org_name=host, host_contact=names.person_name(rng, "female", 1980), host_phone=names.phone(rng),
            arrangement=Arrangement.TEMPORARY if temporary else Arrangement.REPORTING,
            host_confirms=rng.choice(Confirmation.values), note="随子女居住"))
    _deaths(ctx, people, today)
    _carer_stay(today)


def _deaths(ctx, people, today):
    """The members demo recorded deaths in the registry; here they get the death record and its checklist."""
    rule = rules.parse({})
    for persons in people.values():
        for r in persons:
            if r.status != "deceased" or not r.deceased_on:
                continue
            record = DeathRecord.objects.create(retiree=r, died_on=r.deceased_on, reported_by="家属",
                                                cause=ctx.rng.choice(["", DeathCause.ILLNESS, DeathCause.AGE]),
                                                effects={"survivor": {"name": r.family_contact,
                                                                      "relation": r.family_relation}})
            for n, (step, days, role) in enumerate(rule.steps, start=1):
                due = r.deceased_on + dt.timedelta(days=days)
                done = due < today - dt.timedelta(days=10)
                ChecklistItem.objects.create(death=record, order=n, step=step, due_on=due, role=role,
                                             status=TaskStatus.DONE if done else TaskStatus.OPEN,
                                             done_on=due if done else None)


def _carer_stay(today):
    pairing = (Pairing.objects.filter(carer__username="zhuanyuan", ended_on__isnull=True, retiree__status="alive")
               .select_related("retiree__organization").order_by("retiree__name").first())
    if pairing is None:
        return
    services.stay_admit(retiree=pairing.retiree, hospital="县人民医院", ward="心内科", reason=StayReason.CHRONIC,
                        admitted_on=today - dt.timedelta(days=1), note="家属电话告知")
