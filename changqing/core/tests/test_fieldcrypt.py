"""core.fieldcrypt: encrypted fields, their keyed hash, lookups by hash only, and key rotation."""
import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from changqing.accounts.models import User
from changqing.core import fieldcrypt
from changqing.core.changelog import history_for
from changqing.members.models import Retiree
from tests.factories import id_number, make_retiree

DEV = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5ncWluZy0wMDE"
NEW = "q3XbM1mKk0vJYg8c5n2Zr9TQWf7hLsA4uE6pDyRi0oU"
OTHER = "Wm9vbS16b29tLWEtc2Vjb25kLWtleS1mb3ItdGVzdHM"


def _raw(pk, column="phone"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM members_retiree WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_tokens_are_authenticated_and_random():
    a, b = fieldcrypt.encrypt("13812345678"), fieldcrypt.encrypt("13812345678")
    assert a != b and fieldcrypt.is_token(a) and "13812345678" not in a  # a fresh nonce each time
    assert fieldcrypt.decrypt(a) == fieldcrypt.decrypt(b) == "13812345678"
    flipped = a[:-3] + ("A" if a[-3] != "A" else "B") + a[-2:]
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(flipped)
    assert fieldcrypt.encrypt("") == "" and fieldcrypt.blind_index("phone", "") == ""


def test_an_unknown_key_cannot_decrypt_and_a_bad_key_is_refused():
    with override_settings(CHANGQING_FIELD_KEYS=[OTHER]):
        token = fieldcrypt.encrypt("11010519491231002X")
    with pytest.raises(fieldcrypt.DecryptionError):
        fieldcrypt.decrypt(token)
    with override_settings(CHANGQING_FIELD_KEYS=["short"]), pytest.raises(fieldcrypt.FieldKeyError):
        fieldcrypt.keyring()
    with override_settings(CHANGQING_FIELD_KEYS=["short"]):
        assert [e.id for e in fieldcrypt.check_keys()] == ["changqing.E100"]


def test_hash_is_keyed_and_normalised():
    assert fieldcrypt.blind_index("phone", "0743-5222501") == fieldcrypt.blind_index("phone", "07435222501")
    assert fieldcrypt.blind_index("id", "11010519491231002x") == fieldcrypt.blind_index("id", "11010519491231002X")
    with override_settings(CHANGQING_FIELD_KEYS=[OTHER]):
        other = fieldcrypt.blind_index("phone", "07435222501")
    assert other != fieldcrypt.blind_index("phone", "07435222501")


@pytest.mark.django_db
def test_the_column_holds_a_token_and_the_attribute_the_clear_value(tree):
    r = make_retiree(tree.a, "加密", id_number(dt.date(1946, 3, 3), serial=17), phone="13712345678",
                     family_phone="0743-5222501")
    assert fieldcrypt.is_token(_raw(r.pk)) and fieldcrypt.is_token(_raw(r.pk, "id_number"))
    assert _raw(r.pk, "phone_hash") == fieldcrypt.blind_index("phone", "13712345678")
    fresh = Retiree.objects.get(pk=r.pk)
    assert (fresh.phone, fresh.family_phone) == ("13712345678", "0743-5222501")
    assert Retiree.objects.values_list("phone", flat=True).get(pk=r.pk) == "13712345678"


@pytest.mark.django_db
def test_exact_and_in_lookups_go_by_hash(tree):
    number = id_number(dt.date(1946, 3, 3), serial=19)
    r = make_retiree(tree.a, "查找", number, phone="13712345679", family_phone="0743-5222501")
    assert list(Retiree.objects.filter(id_number=number)) == [r]
    assert list(Retiree.objects.filter(id_number=number.lower())) == [r]
    assert list(Retiree.objects.filter(phone="137 1234 5679")) == [r]
    assert list(Retiree.objects.filter(family_phone="07435222501")) == [r]
    assert list(Retiree.objects.filter(phone__in=["13712345679", "00000000"])) == [r]
    assert list(Retiree.objects.filter(membership__retiree__phone="13712345679")) == [r]  # across a join
    assert not Retiree.objects.filter(phone="1371234567").exists()
    assert Retiree.objects.filter(pk=r.pk).exclude(phone="").exists()
    assert not Retiree.objects.filter(pk=r.pk, phone="").exists()
    assert Retiree.objects.filter(phone__in=[]).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["contains", "icontains", "startswith", "endswith", "istartswith", "iexact",
                                    "regex", "gt"])
def test_no_partial_lookup_exists(tree, lookup):
    with pytest.raises(FieldError):
        list(Retiree.objects.filter(**{f"phone__{lookup}": "1371"}))
    with pytest.raises(FieldError):
        list(User.objects.filter(**{f"phone__{lookup}": "1371"}))


@pytest.mark.django_db
def test_update_bulk_update_and_update_fields_keep_the_hash(tree, secretary_a):
    r = make_retiree(tree.a, "更新", id_number(dt.date(1946, 3, 3), serial=21), phone="13712340001")
    Retiree.objects.filter(pk=r.pk).update(phone="13712340002")
    assert Retiree.objects.get(phone="13712340002") == r and not Retiree.objects.filter(phone="13712340001").exists()
    r.phone = "13712340003"
    Retiree.objects.bulk_update([r], ["phone"])
    assert Retiree.objects.get(phone="13712340003") == r
    secretary_a.phone = "13712340004"
    User.objects.bulk_update([secretary_a], ["phone"])
    User.objects.filter(pk=secretary_a.pk).update(full_name="改名")
    assert User.objects.get(phone="13712340004") == secretary_a
    r.phone = "13712340005"
    with pytest.raises(TypeError, match="phone_hash"):
        r.save(update_fields=["phone"])
    r.save(update_fields=["phone", "phone_hash"])
    assert Retiree.objects.get(phone="13712340005") == r


@pytest.mark.django_db
def test_history_keeps_masks_and_keyed_digests_never_the_hash_column(tree):
    r = make_retiree(tree.a, "历史", id_number(dt.date(1946, 3, 3), serial=23), phone="13712340006")
    r.phone = "13712340007"
    r.save()
    change = history_for(r).filter(action="update").get()
    assert change.before["phone"] == "137****0006" and change.after["phone"] == "137****0007"
    assert "phone_hash" not in change.after and "id_number_hash" not in change.after
    assert change.after["_digests"]["phone"] == fieldcrypt.history_digest("13712340007")
    with override_settings(CHANGQING_FIELD_KEYS=[OTHER]):
        assert fieldcrypt.history_digest("13712340007") != change.after["_digests"]["phone"]


@pytest.mark.django_db
def test_rotation_reencrypts_everything_and_lookups_work_throughout(tree):
    number = id_number(dt.date(1946, 3, 3), serial=25)
    r = make_retiree(tree.a, "轮换", number, phone="13712340008", family_phone="0743-5222501")
    old_token = _raw(r.pk)
    with override_settings(CHANGQING_FIELD_KEYS=[NEW, DEV]):
        # During the rotation: the old tokens decrypt, the old hashes still find the row, new writes use NEW.
        assert Retiree.objects.get(phone="13712340008").id_number == number
        assert Retiree.objects.get(id_number=number) == r
        with pytest.raises(CommandError):
            call_command("rotate_field_keys", "--check", stdout=open("/dev/null", "w"))
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
        call_command("rotate_field_keys", "--check", stdout=open("/dev/null", "w"))
        new_kid = fieldcrypt.newest().kid
        assert fieldcrypt.token_kid(_raw(r.pk)) == new_kid != fieldcrypt.token_kid(old_token)
        assert fieldcrypt.token_kid(_raw(r.pk, "id_number")) == new_kid
    with override_settings(CHANGQING_FIELD_KEYS=[NEW]):  # the old key dropped
        fresh = Retiree.objects.get(id_number=number)
        assert (fresh.phone, fresh.family_phone) == ("13712340008", "0743-5222501")
        assert Retiree.objects.get(family_phone="07435222501") == r
        assert _raw(r.pk, "id_number_hash") == fieldcrypt.blind_index("id", number)
    with pytest.raises(fieldcrypt.DecryptionError):  # and the dev key alone can no longer read it
        Retiree.objects.get(pk=r.pk)


@pytest.mark.django_db
def test_clear_values_left_from_before_are_encrypted_by_the_rotation(tree):
    r = make_retiree(tree.a, "遗留", id_number(dt.date(1946, 3, 3), serial=27), phone="13712340009")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_retiree SET phone = %s, phone_hash = '' WHERE id = %s", ["13712340010", r.pk])
    assert Retiree.objects.get(pk=r.pk).phone == "13712340010"  # read as it is
    assert fieldcrypt.stale_values(Retiree, connection) == 1
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
    assert fieldcrypt.is_token(_raw(r.pk)) and Retiree.objects.get(phone="13712340010") == r


def test_generate_key_prints_a_usable_key(capsys):
    call_command("rotate_field_keys", "--generate-key")
    key = capsys.readouterr().out.strip()
    with override_settings(CHANGQING_FIELD_KEYS=[key]):
        assert fieldcrypt.decrypt(fieldcrypt.encrypt("x1")) == "x1"
