"""`manage.py backup` and `manage.py restore`: the county demo round trip, row by row and file by file."""
import datetime as dt
import hashlib
import io
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from changqing.core import backup


def _write_media(root: Path) -> dict[str, bytes]:
    files = {
        "roster_uploads/2026/11/名册.xlsx": b"PK\x03\x04 not really a workbook",
        "life/meetings/2026/11/记录.pdf": b"%PDF-1.4 minutes",
        "jobs/2026/11/result.csv": "姓名,支部\n张三,第一支部\n".encode(),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def _plain(value):
    """One value as the same text whichever connection read it (time zones and buffers differ by driver)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _digest_rows(cursor, table: str) -> tuple[int, str]:
    """Every row of a table, order-free: the count and a hash of the sorted rows' text."""
    cursor.execute(f"SELECT * FROM {backup._quote(table)}")
    rows = sorted(repr(tuple(_plain(value) for value in row)) for row in cursor.fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _table_digests(cursor, tables) -> dict[str, tuple[int, str]]:
    return {table: _digest_rows(cursor, table) for table in tables}


def _source_digests(tables):
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(**backup._pg_conninfo(connection.settings_dict)) as conn, conn.cursor() as cursor:
            return _table_digests(cursor, tables)
    connection.ensure_connection()
    return _table_digests(connection.connection.cursor(), tables)


class _RestoreTarget:
    """A fresh, empty database of the suite's own kind to restore into, dropped afterwards."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        self.tmp_path = tmp_path
        if self.vendor == "postgresql":
            import psycopg

            self.psycopg = psycopg
            params = connection.settings_dict
            self.name = f"{params['NAME']}_restored"[:63]
            self.admin = backup._pg_conninfo({**params, "NAME": "postgres"})
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._execute(f'CREATE DATABASE "{self.name}"')
            self.target = backup.Target(
                engine="postgresql", params={**params, "NAME": self.name}, media_root=tmp_path / "restored-media"
            )
        else:
            self.name = str(tmp_path / "restored.sqlite3")
            self.target = backup.Target(
                engine="sqlite", params={"NAME": self.name}, media_root=tmp_path / "restored-media"
            )

    def _execute(self, sql: str) -> None:
        with self.psycopg.connect(**self.admin, autocommit=True) as conn:
            conn.execute(sql)

    def cursor(self):
        if self.vendor == "postgresql":
            self._conn = self.psycopg.connect(**backup._pg_conninfo(self.target.params))
            return self._conn.cursor()
        # Read with the converters Django's SQLite connection uses (the source is read through that one).
        self._conn = sqlite3.connect(self.name, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        return self._conn.cursor()

    def tables(self, cursor):
        if self.vendor == "postgresql":
            return backup._pg_tables(cursor)
        return backup._sqlite_tables(self._conn)

    def drop(self):
        if getattr(self, "_conn", None) is not None:
            self._conn.close()
        if self.vendor == "postgresql":
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}"')


@pytest.fixture
def restore_target(tmp_path):
    target = _RestoreTarget(tmp_path)
    yield target
    target.drop()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return _write_media(settings.MEDIA_ROOT)


def test_the_county_demo_backs_up_and_restores_elsewhere_row_for_row_and_file_for_file(
    county_demo, media, restore_target, tmp_path
):
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("changqing-backup-*.tar.gz")
    assert "张表" in out.getvalue()

    report = backup.restore_backup(archive, restore_target.target)

    # Every table of the live database, compared row by row with the restored one.
    # Both sides are read through the same driver (Django's own connection decodes JSON columns).
    source_tables = connection.introspection.table_names()
    expected = _source_digests(source_tables)
    cursor = restore_target.cursor()
    assert sorted(restore_target.tables(cursor)) == sorted(source_tables)
    assert _table_digests(cursor, source_tables) == expected
    assert expected["members_retiree"][0] > 1000  # the demo is really in there
    assert report.rows == sum(count for count, _ in expected.values())

    # Every file, byte for byte, under its own name.
    restored = restore_target.target.media_root
    for name, content in media.items():
        assert (restored / name).read_bytes() == content
    assert report.files == len(media)


def test_the_manifest_counts_each_table_and_checks_each_file(db, media, tmp_path, settings):
    archive, manifest = backup.write_backup(tmp_path / "b")
    assert manifest.engine == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert manifest.tables["django_migrations"] > 0
    assert manifest.migrations["members"].startswith("00")
    assert set(manifest.files) == set(media)
    name = "jobs/2026/11/result.csv"
    assert manifest.files[name]["sha256"] == hashlib.sha256(media[name]).hexdigest()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and f"media/{name}" in names
    assert not list((tmp_path / "b").glob("*.partial"))


def test_a_restore_into_a_database_that_has_tables_is_refused_and_changes_nothing(db, media, tmp_path):
    archive, _ = backup.write_backup(tmp_path / "b")
    target = backup.Target.from_settings(media_root=tmp_path / "fresh-media")  # the live, migrated database
    with pytest.raises(backup.BackupError, match="不是空的"):
        backup.restore_backup(archive, target)
    assert not (tmp_path / "fresh-media").exists()


def test_a_restore_into_a_media_folder_with_files_is_refused(db, media, tmp_path, restore_target):
    archive, _ = backup.write_backup(tmp_path / "b")
    restore_target.target.media_root.mkdir(parents=True)
    (restore_target.target.media_root / "old.txt").write_text("x")
    with pytest.raises(backup.BackupError, match="不是空的"):
        backup.restore_backup(archive, restore_target.target)
    cursor = restore_target.cursor()
    assert restore_target.tables(cursor) == []


def _rewrite_archive(archive: Path, out: Path, change) -> Path:
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            member, data = change(member, data)
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
            else:
                copy.addfile(member)
    return out


def test_a_damaged_archive_is_refused_before_anything_is_restored(db, media, tmp_path, restore_target):
    archive, _ = backup.write_backup(tmp_path / "b")

    def flip_one_file(member, data):
        if member.name == "media/jobs/2026/11/result.csv":
            data = data.replace("张三".encode(), "李四".encode())
        return member, data

    damaged = _rewrite_archive(archive, tmp_path / "damaged.tar.gz", flip_one_file)
    with pytest.raises(backup.BackupError, match="校验值不符"):
        backup.restore_backup(damaged, restore_target.target)
    cursor = restore_target.cursor()
    assert restore_target.tables(cursor) == []
    assert not restore_target.target.media_root.exists()


def test_an_archive_with_a_path_outside_its_folder_is_refused(db, media, tmp_path, restore_target):
    archive, _ = backup.write_backup(tmp_path / "b")

    def escape(member, data):
        if member.name.startswith("media/jobs"):
            member.name = "../../escaped.csv"
        return member, data

    evil = _rewrite_archive(archive, tmp_path / "evil.tar.gz", escape)
    with pytest.raises(backup.BackupError, match="不安全"):
        backup.restore_backup(evil, restore_target.target)
    assert not (tmp_path.parent / "escaped.csv").exists()


def test_keep_leaves_only_the_newest_archives(db, tmp_path, settings, time_machine):
    settings.MEDIA_ROOT = tmp_path / "media"
    for day in (1, 2, 3):
        time_machine.move_to(f"2026-11-0{day} 02:00 +08:00", tick=False)
        backup.write_backup(tmp_path / "b", keep=2)
    names = sorted(path.name for path in (tmp_path / "b").iterdir())
    assert names == ["changqing-backup-20261102-020000.tar.gz", "changqing-backup-20261103-020000.tar.gz"]


def test_the_restore_command_says_in_chinese_when_the_archive_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"))
