"""A backup made with `manage.py backup` holds no ID number or phone in clear (they are encrypted at rest)."""
import re
import subprocess
import tarfile

import pytest
from django.db import connection

from changqing.core import backup
from changqing.orgs.models import Organization, OrgKind
from tests.factories import id_number, make_retiree

PHONE = "13907310042"


@pytest.mark.django_db(transaction=True)
def test_a_backup_archive_holds_no_id_number_or_phone_in_clear(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    org = Organization.objects.create(name="备份测试支部", code="BKT", kind=OrgKind.BRANCH)
    numbers = [id_number(serial=serial) for serial in (11, 12, 13)]
    for number in numbers:
        make_retiree(org, id_number_=number, phone=PHONE)
    archive, _ = backup.write_backup(tmp_path / "b")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    dump = tmp_path / "x" / ("db.dump" if connection.vendor == "postgresql" else "db.sqlite3")
    if connection.vendor == "postgresql":
        # The custom format compresses table data: read it back as plain SQL, as an attacker would.
        env = backup._pg_env(backup._pg_conninfo(connection.settings_dict))
        text = subprocess.run(["pg_restore", "--file", "-", str(dump)], env=env, capture_output=True,
                              check=True).stdout.decode("utf-8", "replace")
    else:
        text = dump.read_bytes().decode("latin-1")
    found = set(re.findall(r"\d{17}[\dX]|\d{11}", text))
    assert not found & set(numbers)
    assert PHONE not in text
