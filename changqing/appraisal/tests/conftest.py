import pytest

from changqing.core.roles import Role
from changqing.appraisal import services
from tests.factories import add_members, make_user


@pytest.fixture(autouse=True)
def _on_today(today):
    """Every appraisal test runs on the pinned day."""


def member_user(membership, username):
    user = make_user(username, Role.MEMBER)
    user.retiree = membership.retiree
    user.save()
    return user


@pytest.fixture
def secretary(tree):
    return make_user("appr_sec", Role.BRANCH_SECRETARY, organization=tree.a)


@pytest.fixture
def members(tree):
    """Branch A: 张宏伟 (from the tree) and three more members."""
    return [tree.ra.membership] + add_members(tree.a, 3, prefix="评议")


@pytest.fixture
def voters(members):
    return [member_user(m, f"appr_m{i}") for i, m in enumerate(members)]


@pytest.fixture
def rnd(tree, secretary, members):
    return services.round_open(user=secretary, organization=tree.a, year=2026)
