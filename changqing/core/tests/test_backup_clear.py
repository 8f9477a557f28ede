"""A backup made with `manage.py backup` holds no ID number or phone in clear (they are encrypted at rest)."""
import re
import subprocess
import tarfile

from django.db import connection

from changqing.core import backup
from changqing.members.models import Retiree


def test_a_backup_of_the_county_demo_holds_no_id_number_or_phone_in_clear(county_demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    numbers = set(Retiree.objects.values_list("id_number", flat=True))
    phones = {p for p in Retiree.objects.values_list("phone", flat=True) if p}
    assert len(numbers) > 1000 and len(phones) > 100  # the clear values, as the application reads them
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
    assert "members_retiree" in text  # the table is in the dump
    digits = set(re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text)) | set(re.findall(r"(?<!\d)\d{11}(?!\d)", text))
    assert not digits & numbers
    assert not digits & phones
