"""Size and term thresholds are an orgs.thresholds policy: each branch by its own rules, in SQL too."""
import datetime as dt

from changqing.orgs import selectors
from changqing.orgs.models import Organization
from changqing.orgs.rules import SIZE_TOO_MANY
from changqing.policies.kinds import FAR_PAST
from changqing.policies.services import policy_version_create


def _set(org, start=FAR_PAST, **values):
    return policy_version_create(kind=selectors.ORG_THRESHOLDS, organization=org, valid_from=start, values=values)


def test_a_branch_is_judged_by_its_own_thresholds_in_lists_and_counts(tree):
    branches = selectors.with_member_counts(Organization.objects.filter(pk__in=[tree.a.pk, tree.b.pk]))
    assert not selectors.size_filter(branches, SIZE_TOO_MANY).exists()
    _set(tree.a, max_members=0)  # an absurd figure, so that A's single member is "too many" and B's is not
    assert list(selectors.size_filter(branches, SIZE_TOO_MANY)) == [tree.a]
    assert selectors.size_warning_counts(Organization.objects.all())[SIZE_TOO_MANY] == 1
    assert selectors.rules_for(tree.a).max_members == 0 and selectors.rules_for(tree.b).max_members == 50


def test_term_years_and_windows_follow_the_policy_from_its_date(tree):
    _set(tree.root, start=dt.date(2026, 1, 1), term_years=5, term_alert_days=[180, 60])
    assert selectors.rules_for(tree.a, dt.date(2025, 12, 31)).default_term_years("alone") == 3
    r = selectors.rules_for(tree.a, dt.date(2026, 1, 1))
    assert r.default_term_years("alone") == 5 and r.term_alert_days == (180, 60)
