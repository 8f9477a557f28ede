"""Members who cannot come (immobile, bedridden, away) do not default to 出席; 送学上门 is suggested for them and
saving one of them as present asks for a confirmation beside their name (no JavaScript needed)."""
import datetime as dt

import pytest
from django.utils import timezone

from changqing.life.models import Attendance, Meeting, MeetingKind
from changqing.members.models import Absence

from .conftest import add_members

pytestmark = pytest.mark.today


def _post(members, **over):
    data = {"kind": MeetingKind.objects.get(code="group_meeting").pk, "held_on": timezone.localdate().isoformat(),
            "topic": "学习二十大精神", "place": "活动室"}
    data.update(over)
    return data


def _checked(page, mid):
    """The status radio the page shows checked for a member."""
    import re

    return re.findall(rf'<input type="radio" name="att_{mid}" value="(\w+)"[^>]*checked', page)


def test_immobile_and_away_default_to_excused_with_a_delivery_hint(tree, secretary_a, client):
    immobile, away, well = add_members(tree.a, 3, immobile=1)
    Absence.objects.create(retiree=away.retiree, start_on=timezone.localdate() - dt.timedelta(days=30), place="三亚")
    client.force_login(secretary_a)
    page = client.get("/life/branch/T-A/record/?kind=group_meeting&date=2026-11-20").content.decode()
    assert _checked(page, immobile.pk) == ["excused"] and _checked(page, away.pk) == ["excused"]
    assert _checked(page, well.pk) == ["present"]
    assert "行动不便" in page and "外出" in page
    assert page.count("建议<strong>送学上门</strong>") == 2
    assert f"/life/study/new/?membership={immobile.pk}&amp;mode=home_delivery" in page
    assert 'value="2026-11-20"' in page  # ?date= pre-fills the meeting date
    assert f'name="reason_{immobile.pk}" value="行动不便"' in page and f'name="reason_{away.pk}" value="外出"' in page
    # Saving the defaults as the page posts them: both excused with the reason filled in, nothing typed.
    resp = client.post("/life/branch/T-A/record/", _post([], **{
        f"att_{well.pk}": "present", f"att_{immobile.pk}": "excused", f"reason_{immobile.pk}": "行动不便",
        f"att_{away.pk}": "excused", f"reason_{away.pk}": "外出"}))
    assert resp.status_code == 302
    att = {a.membership_id: a for a in Meeting.objects.get().attendances.all()}
    assert (att[immobile.pk].status, att[immobile.pk].reason) == ("excused", "行动不便")
    assert (att[away.pk].status, att[away.pk].reason) == ("excused", "外出")
    assert att[well.pk].status == "present" and att[well.pk].reason == ""


def test_marking_an_immobile_member_present_asks_first(tree, secretary_a, client):
    immobile, well = add_members(tree.a, 2, immobile=1)
    client.force_login(secretary_a)
    data = _post([], **{f"att_{immobile.pk}": "present", f"att_{well.pk}": "present"})
    resp = client.post("/life/branch/T-A/record/", data)
    page = resp.content.decode()
    assert resp.status_code == 200 and not Meeting.objects.exists()
    assert "确实本人到会了吗" in page and f'name="confirm_{immobile.pk}"' in page
    resp = client.post("/life/branch/T-A/record/", {**data, f"confirm_{immobile.pk}": "on"})
    assert resp.status_code == 302
    a = Attendance.objects.get(membership=immobile)
    assert a.status == "present" and a.reason == ""  # the pre-filled reason is not kept on a present row


def test_one_tap_home_delivery_fills_deliverer_and_material(tree, secretary_a, client):
    (immobile,) = add_members(tree.a, 1, immobile=1)
    client.force_login(secretary_a)
    resp = client.post("/life/branch/T-A/record/", _post([], **{
        f"att_{immobile.pk}": "home_delivery", f"deliverer_{immobile.pk}": secretary_a.display_name}))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    a = Attendance.objects.get(membership=immobile)
    assert a.status == "home_delivery" and a.deliverer == secretary_a.display_name
    assert a.material == "本次会议内容：学习二十大精神"


def test_record_start_resolves_the_branch(tree, secretary_a, client):
    client.force_login(secretary_a)
    r = client.get("/life/record/?branch=T-A&kind=group_meeting&date=2026-11-20")
    assert r.status_code == 302 and r["Location"] == "/life/branch/T-A/record/?kind=group_meeting&date=2026-11-20"
    assert client.get(f"/life/record/?branch={tree.a.pk}")["Location"] == "/life/branch/T-A/record/"
    assert client.get("/life/record/")["Location"] == "/life/branch/T-A/record/"
    assert client.get("/life/record/?branch=T-B").status_code == 404  # another branch: not in scope
