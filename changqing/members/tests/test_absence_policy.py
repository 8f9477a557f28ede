"""The absence rule is a policy per organisation (kind members.absence), its defaults named on the page."""
import datetime as dt

import pytest
from django.urls import reverse

from changqing.core.roles import Role
from changqing.members import rules
from changqing.members.models import Absence
from changqing.members.selectors import absence_alerts_for, rule_for_user
from changqing.policies.services import policy_version_create
from tests.factories import make_member, make_user


def test_policy_overrides_the_default_for_its_subtree(tree):
    assert rules.current_rule(tree.a) == rules.rule_from_data({})
    policy_version_create(kind=rules.ABSENCE_POLICY, organization=tree.root, valid_from=dt.date(2020, 1, 1),
                          values={**rules.default_data(), "exact_limit_is_long": False, "limit_months": 4})
    assert rules.current_rule(tree.a).limit_months == 4 and not rules.current_rule(tree.a).exact_limit_is_long
    admin = make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root)
    assert rule_for_user(admin).limit_months == 4


@pytest.mark.today  # four months away on the demo's day (2026-11-24)
def test_alerts_follow_the_policy(tree):
    m = make_member(tree.a, "外出四个月")
    Absence.objects.create(retiree=m.retiree, start_on=dt.date(2026, 7, 24), place="三亚")
    admin = make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root)
    assert absence_alerts_for(admin)["long_overdue"] == 0  # four months away, the default limit is six
    policy_version_create(kind=rules.ABSENCE_POLICY, organization=tree.root, valid_from=dt.date(2020, 1, 1),
                          values={**rules.default_data(), "limit_months": 4})
    assert absence_alerts_for(admin)["long_overdue"] == 1  # exactly four months on 2026-11-24: long


def test_policy_page_names_the_defaults(client, tree):
    client.force_login(make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root))
    page = client.get(reverse("policies:list")).content.decode()
    assert "外出流动规则" in page
    form = client.get(reverse("policies:set", args=[rules.ABSENCE_POLICY, "T"])).content.decode()
    assert "默认" in form and "正好满界限时算长期外出" in form
