"""The station sweep: a guidance-station chief sees nothing of another station (issue 9).

Reuses the urlconf walker of the branch sweep (tests/test_scope_sweep.py): every
page without kwargs, as the chief of 永安街道指导站, shows no name of 南坪街道's
organisations or guides; every URL showing a guidance record answers 403/404/405
for a record of 南坪街道 and changes nothing.
"""
from __future__ import annotations


import pytest
from django.db import transaction
from django.test import Client

from changqing.accounts.models import User
from changqing.guidance.models import GuidanceStation, Guide, NewOrg
from tests.test_scope_sweep import (
    ALLOWED_REFUSALS, FORMAT_KWARGS, _text_of, build_url, field_value, target_of, walk,
)


# Models whose checked file route (core/files.py) has no record of 南坪街道 in the demo; their scope is tested
# for every file field by tests/test_private_files.py.
NO_OTHER_STATION_RECORD = {"StandardEvidence": "演示数据中南坪街道没有达标佐证照片"}


@pytest.fixture(scope="module")
def stations(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            mine = GuidanceStation.objects.get(code="WL-YA")
            other = GuidanceStation.objects.get(code="WL-NP")
            own_names = set(NewOrg.objects.filter(station=mine).values_list("name", flat=True)) | set(
                Guide.objects.filter(station=mine).values_list("name", flat=True))
            forbidden = sorted(
                (set(NewOrg.objects.filter(station=other).values_list("name", flat=True))
                 | set(NewOrg.objects.filter(station=other).values_list("credit_code", flat=True))
                 | set(Guide.objects.filter(station=other).values_list("name", flat=True))) - own_names)
            yield mine, other, User.objects.get(username="zhanzhang"), forbidden
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def chief(stations, db):
    client = Client(raise_request_exception=False)
    client.force_login(stations[2])
    return client


def test_station_scope_is_meaningful(stations):
    mine, other, user, forbidden = stations
    assert len(forbidden) > 50
    assert NewOrg.objects.filter(station=mine).count() == 60


def test_pages_show_nothing_of_another_station(stations, chief):
    forbidden = stations[3]
    leaks, tried = [], 0
    for endpoint in walk():
        if endpoint.kwargs and set(endpoint.kwargs) - set(FORMAT_KWARGS):
            continue
        url = build_url(endpoint, FORMAT_KWARGS) if endpoint.kwargs else endpoint.route
        response = chief.get(url)
        tried += 1
        if response.status_code != 200:
            continue
        text = _text_of(response)
        found = [s for s in forbidden if s in text]
        if found:
            leaks.append(f"{url}: {found[:3]}")
    assert tried > 50
    assert not leaks, "\n".join(leaks)


def test_guidance_objects_of_another_station_are_refused(stations, chief):
    other = stations[1]
    problems, tried = [], 0
    for endpoint in walk():
        target = target_of(endpoint.callback)
        if target.model is None or target.model._meta.app_label != "guidance":
            continue
        if not set(target.lookups) & set(endpoint.kwargs):
            continue  # a list page; covered by the test above
        spec = target.model.scope_spec
        record = target.model._default_manager.filter(**{f"{spec.org_path}__startswith": other.scope_path}).first()
        if record is None and target.model.__name__ in NO_OTHER_STATION_RECORD:
            continue
        if record is None:
            problems.append(f"{endpoint.label}: 南坪街道没有 {target.model.__name__} 记录")
            continue
        values = {k: field_value(record, f) for k, f in target.lookups.items()}
        values.update({k: v for k, v in target.samples.items() if k in endpoint.kwargs})
        values.update({k: v for k, v in FORMAT_KWARGS.items() if k in endpoint.kwargs})
        url = build_url(endpoint, values)
        before = target.model._default_manager.filter(pk=record.pk).values().first()
        for method in ("get", "post"):
            status = getattr(chief, method)(url).status_code
            tried += 1
            if status not in ALLOWED_REFUSALS:
                problems.append(f"{method.upper()} {url} -> {status}")
        after = target.model._default_manager.filter(pk=record.pk).values().first()
        if before != after:
            problems.append(f"{url} 修改了另一个指导站的记录")
    assert tried >= 20
    assert not problems, "\n".join(problems)


def test_demo_admin_manages_the_station_and_carer_logins(stations, db):
    """The county admin (also admin of the 两新工委) reaches the demo's chief, guide and carer, who name no organisation."""
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    for username in ("zhanzhang", "zhidaoyuan", "zhuanyuan"):
        assert username in client.get(f"/accounts/users/?q={username}").content.decode()
        assert client.get(f"/accounts/users/{User.objects.get(username=username).pk}/").status_code == 200
