"""Issue 16: no ID number or phone in clear anywhere in the database, read row by row with a raw cursor.

Records with known ID numbers and phones are made in every model that holds one, edited (so the change
history has rows with before and after), one deleted, searched and exported (so the operation log has the
search term); then every text-like column of every table is read raw (connection.cursor, no ORM field
conversion) and none holds any of those values, in any of the forms they were typed in. Runs on whichever
database the suite runs on (CI: PostgreSQL; locally also with DATABASE_URL unset: SQLite).
"""
import datetime as dt
import json

import pytest
from django.db import connection

from changqing.accounts.models import User
from changqing.core import fieldcrypt
from changqing.core.models import ObjectChange, OperationLog
from changqing.guidance.models import GuidanceStation, Guide, GuideApplication
from changqing.members.models import Absence, Retiree
from changqing.orgs.models import CommitteeMemberAssignment, Liaison
from tests.factories import id_number, make_retiree

ID_A = id_number(dt.date(1941, 5, 17), True, serial=731, region=433127)
ID_B = id_number(dt.date(1944, 2, 9), False, serial=482, region=430702)
# One ending in X: stored canonical, typed lower-case.
ID_X = next(n for n in (id_number(dt.date(1949, 12, 31), True, serial=s, region=433127) for s in range(101, 999, 2))
            if n.endswith("X"))
PHONES = ["13712345678", "13987654321", "15800112233", "0743-5222501", "18611110000", "17744445555",
          "13566667777", "0731-88889999", "13311112222", "19900001111", "13655550000", "18922223333",
          "13577778888", "0755-26668888"]


def _raw_cells():
    """(table, column, text) of every cell of every table, as the database hands it over."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    if value is None or isinstance(value, (int, float, bool, dt.date, dt.datetime)):
                        continue
                    if isinstance(value, (dict, list)):
                        value = json.dumps(value, ensure_ascii=False)
                    elif isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("latin-1")
                    yield table, column, str(value)


def _forms(value: str) -> set[str]:
    """The forms a clear value could be found in: as typed, digits only, lower-case x, JSON-escaped."""
    digits = "".join(c for c in value if c.isdigit() or c in "xX")
    return {value, digits, value.lower(), digits.lower()}


@pytest.mark.django_db(transaction=False)
def test_no_id_number_or_phone_in_clear_in_any_table(tree, client, secretary_a, bureau_admin):
    p = iter(PHONES)
    a = make_retiree(tree.a, "明文甲", ID_A, birth=dt.date(1941, 5, 17), phone=next(p), family_phone=next(p))
    b = make_retiree(tree.a, "明文乙", ID_B, gender="female", birth=dt.date(1944, 2, 9), phone=next(p), member=False)
    x = make_retiree(tree.a, "明文丙", ID_X.lower(), birth=dt.date(1949, 12, 31), phone="", member=False)
    Absence.objects.create(retiree=a, start_on=dt.date(2026, 1, 5), place="三亚", contact_phone=next(p))
    tree.a.contact_phone = next(p)
    tree.a.save()
    liaison = Liaison.objects.create(organization=tree.a, name="联络员甲", unit="某局", phone=next(p),
                                     start_on=dt.date(2026, 1, 1))
    CommitteeMemberAssignment.objects.create(committee_org=tree.root, organization=tree.a, name="委员甲",
                                             phone=next(p), start_on=dt.date(2026, 1, 1))
    station = GuidanceStation.objects.create(code="S9", name="测试指导站", organization=tree.root, base="阵地", area="街道")
    guide = Guide.objects.create(station=station, name="指导员甲", phone=next(p))
    GuideApplication.objects.create(station=station, name="报名人", phone=next(p), unit="某社区", motivation="想参加")
    from changqing.guidance.tests.conftest import make_org

    make_org(station, guide, 9, party_contact_phone=next(p))
    from changqing.lifeevents.models import HealthProfile, LivingElsewhere

    HealthProfile.objects.create(retiree=a, emergency_name="紧急联系人", emergency_phone=next(p))
    LivingElsewhere.objects.create(retiree=a, start_on=dt.date(2024, 1, 1), place="深圳", host_phone=next(p))
    secretary_a.phone = next(p)
    secretary_a.save()
    edited_phone = next(p)

    # Edits: the history keeps a before and an after of each.
    a.phone, a.family_phone = edited_phone, ""
    a.save()
    b.id_number = id_number(dt.date(1944, 2, 9), False, serial=484, region=430702)
    b.save()
    Retiree.objects.filter(pk=x.pk).update(phone=PHONES[0])
    Liaison.objects.filter(pk=liaison.pk).update(phone="")
    User.objects.bulk_update([secretary_a], ["phone"])
    b.delete()

    # A search by a whole number, exported: the search term reaches the operation log.
    client.force_login(secretary_a)
    assert "明文甲" in client.get("/retirees/", {"q": edited_phone}).content.decode()
    assert client.get("/retirees/", {"q": ID_A, "export": "xlsx"}).status_code == 200
    assert client.get("/retirees/", {"q": edited_phone, "export": "xlsx"}).status_code == 200
    assert OperationLog.objects.filter(event="export").count() >= 2
    assert ObjectChange.objects.filter(content_type__model="retiree", action="update").count() >= 3

    secrets_ = {ID_A, ID_B, ID_X, b.id_number, *PHONES}
    needles = {form for s in secrets_ for form in _forms(s)}
    found = [(t, c, n) for t, c, text in _raw_cells() for n in needles if n in text]
    assert found == [], f"clear values in the database: {found[:10]}"

    # And the values are really there, encrypted: the ORM reads them back, found by their hash.
    assert Retiree.objects.get(id_number=ID_A).phone == edited_phone
    assert Retiree.objects.get(id_number=ID_X).phone == PHONES[0]
    assert Retiree.objects.filter(phone=PHONES[2]).count() == 0  # b was deleted
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_retiree WHERE id = %s", [a.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert fieldcrypt.is_token(raw_id) and fieldcrypt.is_token(raw_phone)


@pytest.mark.django_db
def test_no_id_number_or_phone_of_the_county_demo_in_clear(county_demo):
    """The demo's thousands of people, their history and logs: every stored number is a token."""
    secrets_ = set()
    for model in fieldcrypt.models_with_encrypted_fields():
        names = [f.name for f in fieldcrypt.encrypted_fields(model)]
        for row in model._base_manager.values_list(*names):
            secrets_.update(v for v in row if v)
    assert len(secrets_) > 1000
    digits = {"".join(c for c in s if c.isdigit() or c in "xX").upper() for s in secrets_}
    import re

    run = re.compile(r"[0-9０-９][0-9０-９\-]{5,}[0-9０-９xX]")
    found = []
    for table, column, text in _raw_cells():
        for m in run.finditer(text):
            if m.group().replace("-", "").upper() in digits or m.group() in secrets_:
                found.append((table, column, m.group()))
    assert found == [], f"clear values in the database: {found[:10]}"
