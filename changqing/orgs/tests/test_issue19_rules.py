"""Issue 19: the committee's form by size (§3 rule 3), the election's timing (§3 rule 5), joint branches
(§3 rule 2) and the audit's election_timing finding. Each bad case is refused or flagged."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changqing.audit import engine
from changqing.orgs import rules as r
from changqing.orgs import selectors, services
from changqing.orgs.models import CommitteeForm, CommitteeTerm, Election, JointUnit, Organization, Post, SetupKind

from .helpers import members

D = dt.date
RULES = r.current_rules()


# -- §3 rule 3: the committee's form by size ---------------------------------------------------------

@pytest.mark.parametrize("full,seats,form,error,warning", [
    (6, 1, "secretary", "", ""),
    (6, 2, "secretary", "", ""),
    (6, 3, "committee", "不足7人，不设支部委员会", ""),  # < 7 full members: no committee
    (6, 3, None, "不足7人", ""),
    (7, 3, "committee", "", ""),
    (7, 5, "committee", "", ""),
    (7, 6, "committee", "", "一般为3至5人"),  # 6–7 allowed with a warning
    (9, 7, None, "", "一般为3至5人"),
    (9, 8, "committee", "最多7人", ""),  # > 7 refused
    (7, 2, "secretary", "应设支部委员会", ""),  # ≥ 7 full members: a committee is due
])
def test_committee_form_by_size(full, seats, form, error, warning):
    errors, warnings = r.committee_form_check(full_members=full, seats=seats, form=form, rules=RULES)
    assert (error in " ".join(errors)) if error else not errors
    assert (warning in " ".join(warnings)) if warning else not warnings


def test_size_warnings_both_sides_of_seven():
    assert r.SIZE_NEEDS_COMMITTEE in r.size_warnings(full_members=7, members=7, has_committee=False, rules=RULES)
    assert r.SIZE_COMMITTEE_NOT_ALLOWED in r.size_warnings(full_members=6, members=6, has_committee=True,
                                                           rules=RULES)
    assert r.size_warnings(full_members=6, members=6, has_committee=False, rules=RULES) == []
    assert "班子形式与人数不符" in r.size_labels(RULES)[r.SIZE_COMMITTEE_NOT_ALLOWED]


def test_term_form_refuses_committee_under_seven_beside_the_field(admin_client, tree):
    people = members(tree.a, 4)  # 5 full members with the fixture's
    url = reverse("orgs:term_create", args=["T-A"])
    response = admin_client.post(url, {"start_on": "2025-01-01", "years": "3", "form": "committee",
                                       "secretary": people[0].pk, "deputy": people[1].pk,
                                       "members": [people[2].pk]})
    assert response.status_code == 200
    assert "不足7人，不设支部委员会" in " ".join(response.context["form"].errors["form"])
    assert not CommitteeTerm.objects.exists()
    response = admin_client.post(url, {"start_on": "2025-01-01", "years": "3", "form": "secretary",
                                       "secretary": people[0].pk, "deputy": people[1].pk})
    assert response.status_code == 302 and CommitteeTerm.objects.count() == 1


def test_term_with_six_committee_members_is_saved_with_a_warning(tree):
    people = members(tree.a, 8)
    posts = [(people[0], Post.SECRETARY, "")] + [(m, Post.MEMBER, "") for m in people[1:6]]
    term = services.term_register(organization=tree.a, start_on=D(2025, 1, 1), form=CommitteeForm.COMMITTEE,
                                  posts=posts)
    assert "一般为3至5人" in " ".join(term.warnings)
    with pytest.raises(ValidationError) as exc:
        services.term_register(organization=tree.a, start_on=D(2025, 6, 1), form=CommitteeForm.SECRETARY,
                               posts=[(people[0], Post.SECRETARY, "")])
    assert "应设支部委员会" in " ".join(exc.value.message_dict["form"])


def _elect(org, people, **kw):
    args = dict(organization=org, held_on=D(2026, 5, 10), seats=3, due_to_attend=len(people), present=len(people),
                candidates=[(m, len(people) if i < 3 else 0) for i, m in enumerate(people[:4])],
                secretary=people[0], deputy=people[1])
    args.update(kw)
    return services.election_record(**args)


def test_election_record_seats_by_size(tree):
    people = members(tree.a, 4)  # 5 full members
    with pytest.raises(ValidationError) as exc:
        _elect(tree.a, people + [], due_to_attend=5, present=5)
    assert "不足7人" in " ".join(exc.value.message_dict["seats"]) and not Election.objects.exists()
    election = _elect(tree.a, people, seats=2, due_to_attend=5, present=5,
                      candidates=[(people[0], 5), (people[1], 5), (people[2], 0)])
    assert CommitteeTerm.objects.get(election=election).form == CommitteeForm.SECRETARY


def test_size_warning_list_shows_committee_under_seven(admin_client, tree):
    people = members(tree.a, 7)
    services.term_register(organization=tree.a, start_on=D(2025, 1, 1), form=CommitteeForm.COMMITTEE,
                           posts=[(people[0], Post.SECRETARY, ""), (people[1], Post.MEMBER, ""),
                                  (people[2], Post.MEMBER, "")])
    for m in people[3:]:  # the branch shrinks below 7 full members
        type(m).objects.filter(pk=m.pk).update(state="transferred_out")
    qs = selectors.with_member_counts(Organization.objects.all())
    assert list(selectors.size_filter(qs, r.SIZE_COMMITTEE_NOT_ALLOWED)) == [tree.a]
    page = admin_client.get(reverse("orgs:warnings")).content.decode()
    assert "班子形式与人数不符" in page and "甲支部" in page


# -- §3 rule 5: the election's timing -----------------------------------------------------------------

def test_election_timing_rule():
    end = D(2026, 5, 1)
    ok = r.election_timing(held_on=end, term_end=end, rules=RULES)
    assert ok.state == r.TIMING_ON and not ok.errors and not ok.warnings
    late = r.election_timing(held_on=D(2026, 8, 1), term_end=end, rules=RULES)
    assert late.state == r.TIMING_LATE and not late.errors and "批复" in late.warnings[0]
    approved = r.election_timing(held_on=D(2026, 8, 1), term_end=end, approval_no="县委老干部局〔2026〕5号",
                                 approval_on=D(2026, 4, 20), rules=RULES)
    assert not approved.errors and not approved.warnings
    early = r.election_timing(held_on=D(2026, 1, 1), term_end=end, rules=RULES)
    assert early.state == r.TIMING_EARLY and "提前" in early.warnings[0]
    for held in (D(2027, 5, 2), D(2025, 4, 30)):  # more than a year either way: refused even with approval
        far = r.election_timing(held_on=held, term_end=end, approval_no="X号", approval_on=D(2025, 1, 1),
                                rules=RULES)
        assert "超过一年" in far.errors["held_on"][0]
    half = r.election_timing(held_on=D(2026, 8, 1), term_end=end, approval_no="X号", rules=RULES)
    assert "批复日期" in half.errors["approval_on"][0]


def _old_term(org, people, start=D(2023, 5, 1)):
    return services.term_register(organization=org, start_on=start, form=CommitteeForm.COMMITTEE,
                                  posts=[(people[5], Post.SECRETARY, ""), (people[6], Post.MEMBER, ""),
                                         (people[7], Post.MEMBER, "")])


def test_late_election_without_approval_warns_and_shows_on_the_page(admin_client, tree):
    people = members(tree.a, 8)
    _old_term(tree.a, people)  # ends 2026-05-01
    election = _elect(tree.a, people, held_on=D(2026, 9, 1))
    assert any("须经上级党组织批准" in w for w in election.warnings)
    page = admin_client.get(election.get_absolute_url()).content.decode()
    assert "换届时间提醒" in page and "延期" in page


def test_election_more_than_a_year_late_is_refused(tree):
    people = members(tree.a, 8)
    _old_term(tree.a, people, start=D(2022, 1, 1))  # ended 2025-01-01
    with pytest.raises(ValidationError) as exc:
        _elect(tree.a, people, held_on=D(2026, 5, 10), approval_no="县委老干部局〔2026〕1号",
               approval_on=D(2026, 4, 1))
    assert "超过一年" in " ".join(exc.value.message_dict["held_on"]) and not Election.objects.exists()


def test_approved_early_election_is_recorded_without_warning(tree):
    people = members(tree.a, 8)
    _old_term(tree.a, people)  # ends 2026-05-01
    election = _elect(tree.a, people, held_on=D(2026, 3, 1), approval_no="县委老干部局〔2026〕2号",
                      approval_on=D(2026, 2, 1))
    assert election.approval_on == D(2026, 2, 1) and not [w for w in election.warnings if "批准" in w]


def test_audit_finds_off_schedule_election_and_expired_term():
    data = engine.AuditData(period=(D(2026, 1, 1), D(2026, 12, 31)))
    data.terms = [engine.TermRow(1, 10, D(2023, 1, 1), D(2026, 1, 1), D(2026, 6, 1), None),
                  engine.TermRow(2, 10, D(2026, 6, 1), D(2029, 6, 1), None, 100),
                  engine.TermRow(3, 20, D(2023, 3, 1), D(2026, 3, 1), None, None),  # expired, no election
                  engine.TermRow(4, 30, D(2023, 1, 1), D(2026, 1, 1), D(2026, 7, 1), None),
                  engine.TermRow(5, 30, D(2026, 7, 1), D(2029, 7, 1), None, 101)]
    data.elections = [engine.ElectionRow(100, 10, D(2026, 6, 1), 3, 8, 4, 8),  # five months late, no approval
                      engine.ElectionRow(101, 30, D(2026, 7, 1), 3, 8, 4, 8, approval_no="批复1号")]
    hits = engine.detect_election_timing(data, engine.DEFAULTS)
    assert {(h.org_id, h.key) for h in hits} == {(10, "election:100"), (20, "term:3")}
    assert "election_timing" in engine.KINDS and engine.DETECTORS["election_timing"] is engine.detect_election_timing
    from changqing.audit.selectors import reason_labels

    labels = [label for h in hits for label in reason_labels(h.evidence)]
    assert "任期届满后延期换届，未记录上级党组织的批复" in labels and "任期已届满，尚未换届选举" in labels


# -- §3 rule 2: joint branches -----------------------------------------------------------------------

def test_joint_units_at_most_five(tree):
    tree.a.setup_kind = SetupKind.JOINT
    tree.a.save()
    units = [(f"单位{i}", "unit") for i in range(6)]
    with pytest.raises(ValidationError) as exc:
        services.joint_units_set(organization=tree.a, units=units)
    assert "不超过5个" in " ".join(exc.value.message_dict["units"]) and not JointUnit.objects.exists()
    services.joint_units_set(organization=tree.a, units=units[:5])
    assert JointUnit.objects.filter(organization=tree.a).count() == 5
    with pytest.raises(ValidationError):
        services.joint_units_set(organization=tree.b, units=units[:2])  # not a 联合建 branch


def test_setup_kind_labels_name_both_kinds():
    assert SetupKind.JOINT.label.startswith("联合建") and SetupKind.COMBINED.label == "与在职人员合编"
    assert "联合建" not in SetupKind.COMBINED.label


def test_joint_units_page_refuses_six_and_org_page_and_api_show_them(admin_client, tree):
    tree.a.setup_kind = SetupKind.JOINT
    tree.a.save()
    url = reverse("orgs:joint_units", args=["T-A"])
    data = {"u-TOTAL_FORMS": "6", "u-INITIAL_FORMS": "0", "u-MIN_NUM_FORMS": "0", "u-MAX_NUM_FORMS": "6"}
    for i in range(6):
        data[f"u-{i}-name"], data[f"u-{i}-kind"] = f"县第{i + 1}局", "unit"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "不超过5个" in response.content.decode()
    data["u-5-name"] = ""
    assert admin_client.post(url, data).status_code == 302
    page = admin_client.get(reverse("orgs:detail", args=["T-A"])).content.decode()
    assert "联合组建的单位" in page and "县第1局（单位）" in page
    body = admin_client.get("/api/v1/organizations/T-A/").json()
    assert [u["name"] for u in body["joint_units"]] == [f"县第{i + 1}局" for i in range(5)]


def test_migration_splits_the_old_combined_value(db):
    import importlib

    from django.apps import apps

    mod = importlib.import_module("changqing.orgs.migrations.0006_joint_units_election_plan")
    root = Organization.objects.create(code="M", name="测试党工委", kind="committee")
    joint = Organization.objects.create(code="M-1", name="县审计局统计局联合党支部", kind="branch", parent=root,
                                        setup_kind="combined")
    staff = Organization.objects.create(code="M-2", name="县供电公司离退休党支部", kind="branch", parent=root,
                                        setup_kind="combined")
    mod.split_combined(apps, None)
    joint.refresh_from_db()
    staff.refresh_from_db()
    assert joint.setup_kind == SetupKind.JOINT and staff.setup_kind == SetupKind.COMBINED


def test_election_timing_finding_from_the_database_shows_in_the_audit(admin_client, tree):
    """Loader → engine → stored finding → its page, for an election five months late without approval."""
    from changqing.audit.models import Finding
    from changqing.audit.services import findings_store, run_integrity_audit

    people = members(tree.a, 8)
    _old_term(tree.a, people, start=D(2023, 1, 1))  # ended 2026-01-01
    election = _elect(tree.a, people, held_on=D(2026, 6, 1))
    hits = [h for h in run_integrity_audit(root=tree.root, year=2026) if h.kind == "election_timing"]
    assert [h.key for h in hits] == [f"election:{election.pk}"]
    findings_store(hits=hits, year=2026)
    finding = Finding.objects.get(kind="election_timing")
    page = admin_client.get(reverse("audit:finding_detail", args=[finding.pk])).content.decode()
    assert "任期届满后延期换届，未记录上级党组织的批复" in page
