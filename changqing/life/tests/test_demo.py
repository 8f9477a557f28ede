"""The demo extender: every branch gets three years of meetings with attendance; seed 003's training figures."""
import datetime as dt
import random

from django.db.models import Count

from changqing.demo.extend import DemoContext
from changqing.life import demo
from changqing.life.models import Attendance, Meeting, MeetingAttachment, TrainingCourse, WorkListReceipt

from .conftest import add_members


def test_county_extender(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    add_members(tree.a, 60, immobile=4)
    add_members(tree.b, 5, immobile=1)
    today = dt.date(2026, 11, 24)
    demo.extend(DemoContext(scale="county", seed=1, root=tree.root, today=today, log_history=False,
                            progress=lambda m: None, rng=random.Random("1:life")))
    per_branch = dict(Meeting.objects.filter(state="held").values_list("organization__code").annotate(n=Count("id")))
    assert set(per_branch) == {"T-A", "T-B"} and min(per_branch.values()) > 50
    held = Meeting.objects.filter(state="held")
    assert held.filter(held_on__gt=today).count() == 0 and held.filter(held_on__lt=dt.date(2024, 1, 1)).count() == 0
    lags = [(c.date() - h).days for h, c in held.values_list("held_on", "created_at")]
    assert all(lag >= 0 for lag in lags) and sum(1 for lag in lags if lag <= 4) / len(lags) > 0.7
    assert Attendance.objects.filter(status="home_delivery").exclude(deliverer="").exists()
    assert Attendance.objects.filter(membership__retiree__mobility_impaired=False, status="home_delivery").count() == 0
    courses = TrainingCourse.objects.annotate(s=Count("sessions", distinct=True), p=Count("sessions__attendees"))
    assert sum(c.s for c in courses) == 25 and sum(c.p for c in courses) == 1097
    assert WorkListReceipt.objects.filter(organization=tree.b).exists()
    assert MeetingAttachment.objects.filter(meeting__organization=tree.b).count() == 1
    assert Meeting.objects.filter(state="planned").exists()
    # Idempotent: a second run adds nothing.
    n = Meeting.objects.count()
    demo.extend(DemoContext(scale="county", seed=1, root=tree.root, today=today, log_history=False,
                            progress=lambda m: None, rng=random.Random("1:life")))
    assert Meeting.objects.count() == n
