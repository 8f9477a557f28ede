"""Audit thresholds are a policy of the organisation an audit is run for, from a date."""
import datetime as dt

from changqing.audit.conf import AUDIT_THRESHOLDS, audit_settings, policy_default
from changqing.audit.engine import DEFAULTS
from changqing.policies.kinds import FAR_PAST
from changqing.policies.services import policy_version_create


def test_the_audited_root_policy_overrides_the_installation_from_its_date(tree):
    assert audit_settings(tree.root, dt.date(2026, 6, 1))["BACKFILL_LAG_DAYS"] == DEFAULTS["BACKFILL_LAG_DAYS"]
    policy_version_create(kind=AUDIT_THRESHOLDS, organization=tree.root, valid_from=FAR_PAST,
                          values={**policy_default(), "BACKFILL_LAG_DAYS": 20})
    policy_version_create(kind=AUDIT_THRESHOLDS, organization=tree.root, valid_from=dt.date(2027, 1, 1),
                          values={**policy_default(), "BACKFILL_LAG_DAYS": 15})
    assert audit_settings(tree.root, dt.date(2026, 6, 1))["BACKFILL_LAG_DAYS"] == 20
    assert audit_settings(tree.a, dt.date(2027, 3, 1))["BACKFILL_LAG_DAYS"] == 15  # inherited by the subtree
    cfg = audit_settings(tree.root, dt.date(2027, 3, 1))
    assert cfg["LSH_BANDS"] == DEFAULTS["LSH_BANDS"]  # the algorithm's own parameters stay settings
