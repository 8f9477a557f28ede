import datetime as dt
import random

from changqing.demo.extend import DemoContext
from changqing.honours import demo, selectors
from changqing.honours.models import Ballot, Campaign, Nomination, Phase
from tests.factories import make_retiree


def test_demo_extender_makes_a_published_and_an_open_campaign(tree):
    for i in range(12):
        make_retiree(tree.a if i % 2 else tree.b, f"演示{i}", f"44052418800103{i:03d}X", member=i % 3 != 0)
    ctx = DemoContext(scale="county", seed=1, root=tree.root, today=dt.date(2026, 11, 24), log_history=True,
                      progress=lambda m: None, rng=random.Random(1))
    demo.extend(ctx)
    done = Campaign.objects.get(phase=Phase.PUBLISHED, year=2025)
    open_c = Campaign.objects.get(phase=Phase.VOTING, year=2026)
    assert open_c.voting_starts_on <= ctx.today <= open_c.voting_ends_on
    assert not Ballot.objects.exists()  # every demo login can still vote
    assert selectors.candidates(open_c).exists()
    results = selectors.results(done)
    assert not any(cr.unresolved for cr in results)
    winners = set(Nomination.objects.filter(campaign=done, is_winner=True).values_list("pk", flat=True))
    assert winners == {r.nomination.pk for cr in results for r in cr.rows if r.status == "winner"}
    for cr in results:  # paper votes never exceed the ballots collected
        assert sum(r.nomination.offline_votes for r in cr.rows) <= cr.category.offline_ballots * cr.category.max_choices
