"""The compliance engine's 民主评议党员 item reads published rounds (and, for earlier years, the meetings)."""
import datetime as dt

from changqing.appraisal import services
from changqing.life import engine
from changqing.life.models import Meeting, MeetingKind, MeetingState
from changqing.life.selectors import compliance_results


def appraisal_result(tree, year):
    [r] = [r for r in compliance_results(tree.root, engine.parse_period(str(year)))
           if r.branch.id == tree.a.pk and r.rule.kind == "member_appraisal"]
    return r


def test_a_published_round_makes_the_year_done(tree, rnd, members, secretary):
    assert appraisal_result(tree, 2026).status != engine.DONE
    for m in members:
        services.grade_set(user=secretary, round=rnd, membership=m, grade="qualified")
    assert appraisal_result(tree, 2026).status != engine.DONE  # open, not yet published
    services.round_publish(user=secretary, round=rnd)
    r = appraisal_result(tree, 2026)
    assert (r.status, r.held, r.record_ids) == (engine.DONE, 1, [])  # the round is not a meeting record


def test_earlier_years_still_read_the_meeting_kind(tree, members):
    Meeting.objects.create(organization=tree.a, kind=MeetingKind.objects.get(code="member_appraisal"),
                           held_on=dt.date(2025, 12, 10), state=MeetingState.HELD, topic="2025年民主评议党员")
    r = appraisal_result(tree, 2025)
    assert r.status == engine.DONE and r.held == 1 and len(r.record_ids) == 1


def test_a_round_and_a_meeting_in_one_year_count_once(tree, rnd, members, secretary):
    m = Meeting.objects.create(organization=tree.a, kind=MeetingKind.objects.get(code="member_appraisal"),
                               held_on=dt.date(2026, 11, 20), state=MeetingState.HELD, topic="民主评议党员大会")
    for mem in members:
        services.grade_set(user=secretary, round=rnd, membership=mem, grade="qualified")
    services.round_publish(user=secretary, round=rnd)
    r = appraisal_result(tree, 2026)
    assert (r.held, r.record_ids) == (1, [m.pk])


def test_a_round_published_after_its_year_counts_for_its_year(tree, secretary, members):
    rnd = services.round_open(user=secretary, organization=tree.a, year=2025)
    for mem in members:
        services.grade_set(user=secretary, round=rnd, membership=mem, grade="qualified")
    services.round_publish(user=secretary, round=rnd, on=dt.date(2026, 1, 15))
    assert appraisal_result(tree, 2025).status == engine.DONE
