import datetime as dt

import pytest

from changqing.core.roles import Role
from changqing.honours import services
from changqing.honours.models import Campaign, Category, Nomination, NominationStatus, NomineeRule, Phase
from conftest import TEST_TODAY
from tests.factories import make_retiree, make_user

TODAY = TEST_TODAY  # in the voting window of `campaign`


@pytest.fixture(autouse=True)
def _on_today(today):
    """Every honours test runs on TODAY (the pages read the date, the services are also given it)."""


@pytest.fixture
def admin(tree, db):
    return make_user("hon_admin", Role.BUREAU_ADMIN, organization=tree.root)


@pytest.fixture
def campaign(tree, admin):
    return services.campaign_create(
        user=admin, organization=tree.root, year=2026, title="2026年度“四个最美”评选",
        nomination_ends_on=dt.date(2026, 10, 1), review_ends_on=dt.date(2026, 10, 15),
        voting_starts_on=dt.date(2026, 11, 1), voting_ends_on=dt.date(2026, 11, 30), quota=1)


REASONS = "坚持参加组织生活，年过八旬仍按时交纳党费，带头宣讲政策，深受群众好评。"


def nominate(campaign, category_name, retiree, user):
    cat = campaign.categories.get(name=category_name)
    return services.nomination_create(user=user, campaign=campaign, category=cat, reasons=REASONS, retiree=retiree)


@pytest.fixture
def voting(tree, admin, campaign):
    """The campaign in the voting phase: 最美老党员 with three approved candidates (one of A, two of B)."""
    a2 = make_retiree(tree.a, "甲支部二号", "110105194912310029")
    b2 = make_retiree(tree.b, "乙支部二号", "110105194912310037")
    noms = [nominate(campaign, "最美老党员", r, admin) for r in (tree.ra, a2, tree.rb, b2)]
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    for n in noms[:3]:
        services.nomination_review(user=admin, nomination=n, approve=True, reason="事迹属实")
    services.nomination_review(user=admin, nomination=noms[3], approve=False, reason="材料不实")
    campaign.refresh_from_db()
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.VOTING
    cat = Category.objects.get(campaign=campaign, name="最美老党员")
    return type("Voting", (), {"campaign": campaign, "category": cat, "noms": noms[:3], "rejected": noms[3]})


__all__ = ["Campaign", "Category", "Nomination", "NominationStatus", "NomineeRule", "TODAY", "nominate"]
