"""Benchmark honours.pages: the ballot, the results and the nomination list against the floor page, and
casting ballots (the service with its checks and the secret tally) against bare Ballot INSERTs.

The demo's open campaign sits at the jurisdiction's root, so the ballot lists every candidate of the
city or county. Ballots are cast for synthetic voters inside a transaction that is rolled back.
"""
from __future__ import annotations

import time

from changqing.bench import BenchContext, Figure, benchmark

VOTERS = 300


@benchmark("honours.pages", description="评选表彰：选票页、结果页、提名列表与投票写入")
def honours_pages(ctx: BenchContext) -> list[Figure]:
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="changqing.bench.urls", DEBUG=False):  # the floor view lives there
        return _run(ctx)


def _run(ctx):
    from django.db import transaction

    from changqing.accounts.models import RoleAssignment, User
    from changqing.core.roles import Role
    from changqing.honours import services
    from changqing.honours.models import Ballot, Campaign, Nomination, NominationStatus, Phase

    open_c = Campaign.objects.get(organization=ctx.root, phase=Phase.VOTING)
    done_c = Campaign.objects.get(organization=ctx.root, phase=Phase.PUBLISHED)
    admin, shuji = ctx.client("admin"), ctx.client("shuji")
    floor = ctx.median(ctx.time_get(admin, "/__bench__/floor/"))
    figures = []
    for label, client, url in [
        ("选票页（支部书记）", shuji, f"/honours/campaigns/{open_c.pk}/vote/"),
        ("评选结果页（全部类别）", admin, f"/honours/campaigns/{done_c.pk}/results/"),
        ("提名列表（管理员，全辖区）", admin, "/honours/nominations/"),
        ("评选页（管理员）", admin, f"/honours/campaigns/{open_c.pk}/"),
    ]:
        figures.append(Figure(label=label, value=ctx.median(ctx.time_get(client, url)), floor=floor, unit="ms",
                              floor_label="最简登录页", benchmark="honours.pages"))

    category = open_c.categories.order_by("order").first()
    candidate = Nomination.objects.filter(category=category, status=NominationStatus.APPROVED).first()
    with transaction.atomic():
        voters = User.objects.bulk_create([User(username=f"bench_voter_{i}", full_name="投票人") for i in range(VOTERS)])
        RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.BRANCH_SECRETARY,
                                                           organization=ctx.root) for u in voters])
        voters = list(User.objects.filter(username__startswith="bench_voter_"))
        started = time.perf_counter()
        for u in voters:
            services.ballot_cast(user=u, campaign=open_c, category=category, nomination_ids=[candidate.pk],
                                 today=open_c.voting_starts_on)
        cast_ms = (time.perf_counter() - started) * 1000 / len(voters)
        Ballot.objects.filter(voter__in=voters).delete()
        started = time.perf_counter()
        for u in voters:
            Ballot.objects.bulk_create([Ballot(campaign=open_c, category=category, voter=u)])
        insert_ms = (time.perf_counter() - started) * 1000 / len(voters)
        tally = Nomination.objects.get(pk=candidate.pk).votes
        transaction.set_rollback(True)
    figures.append(Figure(label="投一张票（校验、唯一约束、计数）", value=cast_ms, floor=insert_ms, unit="ms",
                          floor_label="单条 Ballot INSERT", detail={"voters": VOTERS, "tally": tally},
                          benchmark="honours.pages"))
    return figures
