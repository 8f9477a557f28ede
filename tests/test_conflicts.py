"""Edit conflicts (issue 17): two people edit the same record; the second save is refused, not lost.

Each test uses two real logged-in sessions (two Clients): both read the form, the first saves, the second
is refused with a page that shows the first one's change and keeps what the second typed; re-submitting
that page (it now carries the new version) saves knowingly.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django import forms as django_forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import get_resolver, reverse

from changqing.accounts.models import Role
from changqing.core.changelog import ChangeLoggedModel
from changqing.core.conflicts import VersionedFormMixin
from changqing.core.models import ObjectChange
from changqing.dues.models import DuesBase
from changqing.life.models import Meeting, MeetingKind, MeetingState
from changqing.members.models import Retiree
from changqing.orgs.models import Organization
from tests.factories import make_user

CONFLICT = "别人已修改这条记录"


def post_data(form) -> dict:
    """What the browser sends back for a form as it was shown (GET) or re-shown (a refused POST)."""
    if form.is_bound:
        return {k: form.data.getlist(k) if len(form.data.getlist(k)) > 1 else form.data.get(k) for k in form.data}
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, django_forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field, django_forms.FileField) or value is None:
            continue
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    return data


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def updates(instance) -> int:
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(type(instance)),
                                       object_id=str(instance.pk), action=ObjectChange.Action.UPDATE).count()


def two_reads(url, first, second):
    """Both people open the form; returns what each one's browser would post."""
    r1, r2 = first.get(url), second.get(url)
    assert r1.status_code == r2.status_code == 200
    assert 'name="row_version"' in r1.content.decode()
    return post_data(r1.context["form"]), post_data(r2.context["form"])


def refused(response, *shown):
    """The second save came back as the form's page with the conflict panel; returns the page's form."""
    assert response.status_code == 200
    page = response.content.decode()
    assert CONFLICT in page and "本次没有保存" in page
    for text in shown:
        assert text in page, text
    return response.context["form"]


@pytest.fixture
def two_secretaries(tree):
    return (login(make_user("sec_a1", Role.BRANCH_SECRETARY, organization=tree.a, )),
            login(make_user("sec_a2", Role.BRANCH_SECRETARY, organization=tree.a)))


@pytest.fixture
def two_admins(tree):
    return (login(make_user("admin1", Role.BUREAU_ADMIN, organization=tree.root)),
            login(make_user("admin2", Role.BUREAU_ADMIN, organization=tree.root)))


# -- the member's phone -------------------------------------------------------------------------------

def test_member_phone_second_save_refused_then_resubmitted(tree, two_secretaries):
    first, second = two_secretaries
    url = reverse("members:retiree_edit", args=[tree.ra.pk])
    d1, d2 = two_reads(url, first, second)
    d1["phone"] = "13800000001"
    assert first.post(url, d1).status_code == 302
    history_before = updates(tree.ra)

    d2["phone"] = "13900000002"
    d2["address"] = "幸福路9号"
    form = refused(second.post(url, d2), "联系电话", "13800000001", "sec_a1")
    page_data = post_data(form)
    # What the second person typed is still in the form; the version is now the first one's.
    assert page_data["phone"] == "13900000002" and page_data["address"] == "幸福路9号"
    assert 'value="13900000002"' in second.post(url, d2).content.decode()
    tree.ra.refresh_from_db()
    assert tree.ra.phone == "13800000001" and tree.ra.address != "幸福路9号"
    assert updates(tree.ra) == history_before  # a refused save writes no history

    # Re-submitted knowingly: saved, with its history.
    assert second.post(url, page_data).status_code == 302
    tree.ra.refresh_from_db()
    assert tree.ra.phone == "13900000002" and tree.ra.address == "幸福路9号"
    assert updates(tree.ra) == history_before + 1


def test_same_person_saving_twice_from_the_same_page_is_a_conflict_too(tree, two_secretaries):
    first, _ = two_secretaries
    url = reverse("members:retiree_edit", args=[tree.ra.pk])
    data = post_data(first.get(url).context["form"])
    data["phone"] = "13800000003"
    assert first.post(url, data).status_code == 302
    data["phone"] = "13800000004"  # the back button, an old tab
    refused(first.post(url, data), "13800000003")


# -- the meeting's topic --------------------------------------------------------------------------------

@pytest.fixture
def meeting(tree):
    return Meeting.objects.create(organization=tree.a, kind=MeetingKind.objects.get(code="branch_meeting")
                                  if MeetingKind.objects.filter(code="branch_meeting").exists()
                                  else MeetingKind.objects.first(),
                                  held_on=dt.date(2026, 11, 10), topic="学习党章")


def test_meeting_topic_second_save_refused_then_resubmitted(tree, meeting, two_secretaries):
    first, second = two_secretaries
    url = reverse("life:meeting_edit", args=[meeting.pk])
    d1, d2 = two_reads(url, first, second)
    d1["topic"] = "学习二十大报告"
    assert first.post(url, d1).status_code == 302
    d2["topic"] = "学习党史"
    form = refused(second.post(url, d2), "主题", "学习二十大报告", "学习党史")
    meeting.refresh_from_db()
    assert meeting.topic == "学习二十大报告"
    assert second.post(url, post_data(form)).status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "学习党史"


# -- the dues base ------------------------------------------------------------------------------------

def test_dues_base_added_by_someone_else_meanwhile_is_not_overwritten(tree, two_secretaries):
    first, second = two_secretaries
    membership = tree.ra.membership
    url = reverse("dues:base_add", args=[membership.pk])
    d1, d2 = two_reads(url, first, second)
    for d in (d1, d2):
        d.update(effective_from="2026-11", category="retiree", pension_basic="3000")
    d1["pension_whole"] = "5000"
    assert first.post(url, d1).status_code == 302
    d2["pension_whole"] = "5200"
    form = refused(second.post(url, d2), "养老金全额", "5000", "5200")
    assert DuesBase.objects.get(membership=membership).pension_whole == 5000
    assert second.post(url, post_data(form)).status_code == 302
    assert DuesBase.objects.get(membership=membership).pension_whole == 5200


def test_dues_base_corrected_by_both(tree, two_secretaries):
    first, second = two_secretaries
    membership = tree.ra.membership
    base = DuesBase.objects.create(membership=membership, effective_from=dt.date(2026, 1, 1), category="retiree",
                                   pension_whole=4000, pension_basic=3000)
    url = reverse("dues:base_add", args=[membership.pk])
    d1, d2 = two_reads(url, first, second)
    for d in (d1, d2):
        d.update(effective_from="2026-01", category="retiree", pension_basic="3000")
    d1["pension_whole"] = "4100"
    d2["pension_whole"] = "4200"
    assert first.post(url, d1).status_code == 302
    refused(second.post(url, d2), "4100")
    base.refresh_from_db()
    assert base.pension_whole == 4100 and base.row_version == 2


# -- the organisation --------------------------------------------------------------------------------

def test_organisation_second_save_refused_then_resubmitted(tree, two_admins):
    first, second = two_admins
    url = reverse("orgs:edit", args=["T-A"])
    d1, d2 = two_reads(url, first, second)
    d1["name"] = "甲支部（第一党支部）"
    assert first.post(url, d1).status_code == 302
    d2["name"] = "甲支部（改名）"
    form = refused(second.post(url, d2), "甲支部（第一党支部）", "甲支部（改名）")
    assert Organization.objects.get(code="T-A").name == "甲支部（第一党支部）"
    assert second.post(url, post_data(form)).status_code == 302
    assert Organization.objects.get(code="T-A").name == "甲支部（改名）"


# -- the version moves on with every kind of write -----------------------------------------------------

def test_every_write_moves_the_version_on(tree):
    r = Retiree.objects.get(pk=tree.ra.pk)
    v = r.row_version
    r.save()
    assert Retiree.objects.get(pk=r.pk).row_version == v + 1 == r.row_version
    Retiree.objects.filter(pk=r.pk).update(address="x")
    assert Retiree.objects.get(pk=r.pk).row_version == v + 2
    r.address = "y"
    Retiree.objects.bulk_update([r], ["address"])
    assert Retiree.objects.get(pk=r.pk).row_version == v + 3
    r.save(update_fields=["address"])
    assert Retiree.objects.get(pk=r.pk).row_version == v + 4


def test_history_records_the_version_each_write_reached(tree):
    r = Retiree.objects.get(pk=tree.ra.pk)
    r.phone = "13700000000"
    r.save()
    change = ObjectChange.objects.filter(object_id=str(r.pk), action="update").order_by("-pk").first()
    assert change.row_version == r.row_version


# -- the API: 409 with row_version in the body, 412 with If-Match, ETag on GET -----------------------------

from rest_framework import routers, serializers  # noqa: E402

from changqing.api.base import ScopedModelViewSet  # noqa: E402


class _MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "topic", "row_version"]


class _MeetingViewSet(ScopedModelViewSet):
    queryset = Meeting.objects.all()
    serializer_class = _MeetingSerializer


_router = routers.SimpleRouter()
_router.register("meetings", _MeetingViewSet, basename="conflict-meeting")
urlpatterns = _router.urls


@pytest.fixture
def api_pair(tree, two_secretaries, settings):
    settings.ROOT_URLCONF = __name__
    return two_secretaries


def test_api_detail_has_etag_and_stale_body_version_is_409(meeting, api_pair):
    first, second = api_pair
    url = f"/meetings/{meeting.pk}/"
    r1, r2 = first.get(url), second.get(url)
    assert r1["ETag"] == f'"{meeting.pk}-1"' and r1.json()["row_version"] == 1
    ok = first.patch(url, {"topic": "甲", "row_version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok["ETag"] == f'"{meeting.pk}-2"'
    stale = second.patch(url, {"topic": "乙", "row_version": r2.json()["row_version"]}, content_type="application/json")
    assert stale.status_code == 409
    assert "已被别人修改" in stale.json()["detail"] and stale.json()["row_version"] == 2
    meeting.refresh_from_db()
    assert meeting.topic == "甲"
    assert second.patch(url, {"topic": "乙", "row_version": 2}, content_type="application/json").status_code == 200
    bad = second.patch(url, {"topic": "丙", "row_version": "二"}, content_type="application/json")
    assert bad.status_code == 400 and "整数" in str(bad.json())


def test_api_if_match_stale_is_412(meeting, api_pair):
    first, second = api_pair
    url = f"/meetings/{meeting.pk}/"
    tag = first.get(url)["ETag"]
    assert first.patch(url, {"topic": "甲"}, content_type="application/json", headers={"If-Match": tag}).status_code == 200
    stale = second.patch(url, {"topic": "乙"}, content_type="application/json", headers={"If-Match": tag})
    assert stale.status_code == 412 and "已被别人修改" in stale.json()["detail"]
    assert stale["ETag"] == f'"{meeting.pk}-2"'
    meeting.refresh_from_db()
    assert meeting.topic == "甲"
    fresh = second.patch(url, {"topic": "乙"}, content_type="application/json", headers={"If-Match": stale["ETag"]})
    assert fresh.status_code == 200


def test_api_conflict_between_check_and_update_is_still_caught(meeting, api_pair, monkeypatch):
    """The version is checked in the UPDATE itself, not only before it."""
    first, _ = api_pair
    url = f"/meetings/{meeting.pk}/"
    original = _MeetingViewSet.perform_update

    def someone_saves_first(self, serializer):
        Meeting.objects.filter(pk=meeting.pk).update(topic="别人")
        original(self, serializer)

    monkeypatch.setattr(_MeetingViewSet, "perform_update", someone_saves_first)
    r = first.patch(url, {"topic": "我", "row_version": 1}, content_type="application/json")
    assert r.status_code == 409
    meeting.refresh_from_db()
    assert meeting.topic == "别人"


# -- the sweep: every edit form carries the version ------------------------------------------------

def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_model_form_of_a_tracked_record_carries_the_version():
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("changqing."):
            try:
                importlib.import_module(f"{config.name}.forms")
            except ModuleNotFoundError:
                pass
    missing = sorted(f"{f.__module__}.{f.__name__}" for f in _subclasses(django_forms.ModelForm)
                     if f.__module__.startswith("changqing.") and getattr(f._meta, "model", None) is not None
                     and issubclass(f._meta.model, ChangeLoggedModel) and not issubclass(f, VersionedFormMixin))
    assert not missing, f"这些表单修改有变更记录的数据，却没有带版本号（core.conflicts.VersionedFormMixin）：{missing}"


# Every route that edits an existing record, and how to reach one in the `tree` fixture.
EDIT_ROUTES = {
    "members:retiree_edit": lambda t, m: [t.ra.pk],
    "members:membership_edit": lambda t, m: [t.ra.pk],
    "members:absence_edit": None,  # needs an absence: covered by the form sweep above
    "life:meeting_edit": lambda t, m: [m.pk],
    "orgs:edit": lambda t, m: ["T-A"],
    "orgs:zone_edit": lambda t, m: [t.zone_a.pk],
    "guidance:neworg_edit": None,
    "guidance:evaluation_edit": None,
    "honours:campaign_edit": None,  # test_plain_form_edit_of_a_campaign_is_conflict_safe
    "honours:category_edit": None,
    "dues:base_add": lambda t, m: [t.ra.membership.pk],
    # 老同志生活事件: each form is a VersionedFormMixin (the form sweep above); the records need a stay, a profile,
    # a talent or a stay elsewhere first.
    "lifeevents:stay_edit": None,
    "lifeevents:profile_edit": None,
    "lifeevents:talent_edit": None,
    "lifeevents:elsewhere_edit": None,
}


def _edit_route_names():
    names = set()
    for ns, (_, resolver) in get_resolver().namespace_dict.items():
        for name in resolver.reverse_dict:
            if isinstance(name, str) and (name.endswith("_edit") or name == "edit"):
                names.add(f"{ns}:{name}")
    return names


def test_every_edit_route_is_known_to_the_sweep():
    unknown = _edit_route_names() - set(EDIT_ROUTES)
    assert not unknown, f"新的修改页面：请在 EDIT_ROUTES 中登记并确认它带版本号：{sorted(unknown)}"


def test_edit_pages_carry_the_version(tree, meeting, two_admins):
    admin, _ = two_admins
    for name, args in EDIT_ROUTES.items():
        if args is None:
            continue
        page = admin.get(reverse(name, args=args(tree, meeting)))
        assert page.status_code == 200, name
        assert 'name="row_version"' in page.content.decode(), name


# -- concurrent creation: a database constraint, not a check-then-insert -------------------------------

def _meeting_post(kind, topic):
    return {"kind": kind.pk, "held_on": "2026-11-20", "topic": topic}


def test_same_meeting_recorded_twice_is_refused_in_chinese(tree, two_secretaries):
    first, second = two_secretaries
    kind = MeetingKind.objects.first()
    url = reverse("life:meeting_create", args=["T-A"])
    assert first.post(url, _meeting_post(kind, "第一位书记录入")).status_code == 302
    r = second.post(url, _meeting_post(kind, "第二位书记录入"))
    assert r.status_code == 200 and "已经记录过了" in r.content.decode()
    assert Meeting.objects.filter(organization=tree.a, state=MeetingState.HELD).count() == 1


def test_same_meeting_racing_past_the_check_hits_the_constraint(tree, two_secretaries, monkeypatch):
    """Both secretaries' checks ran before either saved: the unique constraint decides, and the page says so."""
    first, second = two_secretaries
    kind = MeetingKind.objects.first()
    url = reverse("life:meeting_create", args=["T-A"])
    monkeypatch.setattr(Meeting, "validate_constraints", lambda self, exclude=None: None)
    assert first.post(url, _meeting_post(kind, "第一位书记录入")).status_code == 302
    r = second.post(url, _meeting_post(kind, "第二位书记录入"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "已经记录过了" in page or "别人刚刚录入了相同的记录" in page
    assert 'value="第二位书记录入"' in page  # the input is kept
    assert Meeting.objects.filter(organization=tree.a).count() == 1


def _in_own_connection(fn):
    """Run fn in a thread with its own connection, committed (the test's own transaction is not visible there)."""
    out = {}

    def run():
        from django.db import connections
        try:
            with transaction.atomic():
                out["value"] = fn()
        except Exception as exc:  # handed back to the test
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing: PostgreSQL")
def test_two_threads_recording_the_same_meeting_one_wins(db):
    """Two connections insert the same meeting at the same moment; the second waits on the unique index
    and, when the first commits, is refused with an IntegrityError: no check-then-insert can let both in."""
    kind = MeetingKind.objects.first()
    org = _in_own_connection(lambda: Organization.objects.create(code="RACE", name="赛跑支部", kind="branch"))
    inserted, results = threading.Event(), {}

    def record(name, wait_for_other):
        from django.db import connections
        try:
            if wait_for_other:
                inserted.wait(timeout=10)
            with transaction.atomic():
                Meeting.objects.create(organization_id=org.pk, kind=kind, held_on=dt.date(2026, 11, 21), topic=name)
                if not wait_for_other:
                    inserted.set()
                    threading.Event().wait(0.5)  # still uncommitted while the other one inserts
            results[name] = "saved"
        except IntegrityError:
            results[name] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=("甲", False)), threading.Thread(target=record, args=("乙", True))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert results == {"甲": "saved", "乙": "refused"}
        assert _in_own_connection(lambda: list(Meeting.objects.filter(organization_id=org.pk).values_list(
            "topic", flat=True))) == ["甲"]
    finally:
        def clean():
            Meeting.objects.filter(organization_id=org.pk).delete()
            Organization.objects.filter(pk=org.pk).delete()
            ObjectChange.objects.filter(object_repr__in=["赛跑支部"]).delete()
            ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Meeting),
                                        object_repr__contains="2026-11-21").delete()
        _in_own_connection(clean)


@pytest.mark.parametrize("race", [False, True], ids=["checked-first", "raced-past-the-check"])
def test_same_care_visit_recorded_by_two_carers_is_kept_once(tree, two_secretaries, monkeypatch, race):
    from changqing.care.models import Visit

    first, second = two_secretaries
    if race:  # both checks ran before either saved: only the constraint can tell
        monkeypatch.setattr(Visit, "validate_constraints", lambda self, exclude=None: None)
    data = {"retiree": tree.ra.pk, "visited_on": "2026-11-20", "kind": "routine", "visitors": "支部书记",
            "notes": "身体很好"}
    assert first.post(reverse("care:visit_create"), data).status_code == 302
    r = second.post(reverse("care:visit_create"), {**data, "notes": "第二位录入的情况"})
    assert r.status_code == 200
    page = r.content.decode()
    message = "已经记录过了" if race is False or connection.vendor == "postgresql" else "别人刚刚录入了相同的记录"
    assert message in page
    assert "第二位录入的情况" in page  # kept in the form
    assert Visit.objects.filter(retiree=tree.ra, visited_on=dt.date(2026, 11, 20)).count() == 1


@pytest.fixture
def campaign(tree):
    from changqing.honours.models import Campaign

    return Campaign.objects.create(organization=tree.root, year=2026, title="2026年度“四个最美”评选",
                                   nomination_ends_on=dt.date(2026, 12, 10), review_ends_on=dt.date(2026, 12, 15),
                                   voting_starts_on=dt.date(2026, 12, 16), voting_ends_on=dt.date(2026, 12, 20))


def test_plain_form_edit_of_a_campaign_is_conflict_safe(tree, two_admins, campaign):
    first, second = two_admins
    url = reverse("honours:campaign_edit", args=[campaign.pk])
    d1, d2 = two_reads(url, first, second)
    d1["title"] = "甲的标题"
    assert first.post(url, d1).status_code == 302
    d2["title"] = "乙的标题"
    form = refused(second.post(url, d2), "甲的标题", "乙的标题")
    campaign.refresh_from_db()
    assert campaign.title == "甲的标题"
    assert second.post(url, post_data(form)).status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "乙的标题"


def test_an_integrity_error_that_is_not_a_duplicate_is_not_dressed_up_as_one():
    from changqing.core import conflicts

    form = django_forms.Form(data={})
    assert form.is_valid()
    with pytest.raises(IntegrityError):
        conflicts.integrity_errors(form, IntegrityError("NOT NULL constraint failed: life_meeting.topic"))
    conflicts.integrity_errors(form, IntegrityError("UNIQUE constraint failed: care_visit.retiree_id"))
    assert conflicts.DUPLICATE in form.non_field_errors()
