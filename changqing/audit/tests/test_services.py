"""Run, store and decide findings against the real database; the command's output and bad input."""
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from changqing.audit.loader import load_audit_data
from changqing.audit.models import Finding, FindingStatus
from changqing.audit.services import finding_decide, findings_store, run_integrity_audit
from changqing.core.models import ObjectChange
from changqing.life.models import Attendance, Meeting, MeetingKind
from tests.factories import make_retiree, make_user


def _meeting(org, day, entered, **kw):
    return Meeting.objects.create(organization=org, kind=MeetingKind.objects.get(code="group_meeting"), held_on=day,
                                  topic="学习", created_at=timezone.make_aware(dt.datetime.combine(entered, dt.time(9))),
                                  **kw)


def _populate(tree, n):
    for i in range(n):
        r = make_retiree(tree.a, f"党员{i}", f"1101051950010{i:03d}X"[:17] + "X")
        m = _meeting(tree.a, dt.date(2025, 1 + i % 12, 3), dt.date(2025, 1 + i % 12, 4), place="活动室")
        Attendance.objects.create(meeting=m, membership=r.membership, status="present")


@pytest.mark.parametrize("n", [2, 12])
def test_loader_query_count_does_not_grow(tree, django_assert_max_num_queries, n):
    _populate(tree, n)
    with django_assert_max_num_queries(16):
        data = load_audit_data(tree.root, 2025)
    assert len(data.meetings) == n and len(data.attendance) == n


def test_backfill_found_stored_and_dismissal_survives_rerun(tree):
    m = _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _meeting(tree.a, dt.date(2025, 3, 2), dt.date(2025, 3, 3))
    hits = run_integrity_audit(root=tree.root, year=2025)
    assert [(h.kind, h.record_ids) for h in hits] == [("backfill", {"meetings": [m.pk]})]
    assert findings_store(hits=hits, year=2025)["new"] == 1
    f = Finding.objects.get()
    user = make_user("reviewer")
    finding_decide(finding=f, user=user, status=FindingStatus.DISMISSED, reason="补录已经党委批准")
    # Same evidence: stays dismissed.
    findings_store(hits=run_integrity_audit(root=tree.root, year=2025), year=2025)
    f.refresh_from_db()
    assert f.status == FindingStatus.DISMISSED and Finding.objects.count() == 1
    # Evidence changes (entered even later): reopened, the old decision kept in the history.
    Meeting.objects.filter(pk=m.pk).update(created_at=timezone.make_aware(dt.datetime(2025, 9, 1, 9)))
    stats = findings_store(hits=run_integrity_audit(root=tree.root, year=2025), year=2025)
    f.refresh_from_db()
    assert stats["reopened"] == 1 and f.status == FindingStatus.OPEN
    assert "补录已经党委批准" in f.reason
    assert ObjectChange.objects.filter(object_id=str(f.pk)).count() >= 2


def test_decide_needs_a_reason_in_chinese(tree):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    findings_store(hits=run_integrity_audit(root=tree.root, year=2025), year=2025)
    f = Finding.objects.get()
    with pytest.raises(ValidationError) as err:
        finding_decide(finding=f, user=None, status=FindingStatus.CONFIRMED, reason="  ")
    assert err.value.message_dict["reason"] == ["请填写核实说明"]
    with pytest.raises(ValidationError) as err:
        finding_decide(finding=f, user=None, status="open", reason="看过")
    assert "status" in err.value.message_dict
    f.refresh_from_db()
    assert f.status == FindingStatus.OPEN and f.reason == ""


def test_command_json(tree):
    m = _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    out = StringIO()
    call_command("integrity_audit", "--period", "2025", "--org", "T", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows == [{"kind": "backfill", "branch_code": "T-A", "record_ids": {"meetings": [m.pk]},
                     "score": rows[0]["score"], "evidence": rows[0]["evidence"]}]
    assert rows[0]["evidence"]["lag_days"] == 92
    assert Finding.objects.count() == 1


def test_command_bad_input_changes_nothing(tree):
    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    with pytest.raises(CommandError, match="年度「二五」不对"):
        call_command("integrity_audit", "--period", "二五")
    with pytest.raises(CommandError, match="没有编码为「NOPE」的党组织"):
        call_command("integrity_audit", "--period", "2025", "--org", "NOPE")
    assert Finding.objects.count() == 0


def test_scope_of_findings(tree, secretary_a):
    from changqing.core.scope import restrict

    _meeting(tree.a, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    _meeting(tree.b, dt.date(2025, 3, 1), dt.date(2025, 6, 1))
    findings_store(hits=run_integrity_audit(root=tree.root, year=2025), year=2025)
    assert Finding.objects.count() == 2
    assert list(restrict(Finding.objects.all(), secretary_a, "view").values_list("organization", flat=True)) == [
        tree.a.pk]
