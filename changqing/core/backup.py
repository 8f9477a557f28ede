"""Backup and restore as one archive: the database dump, the media folder and a manifest that proves both.

``write_backup`` makes ``changqing-backup-<时间>.tar.gz`` holding ``manifest.json``, the database
(``db.dump`` from ``pg_dump --format=custom`` on PostgreSQL, ``db.sqlite3`` from SQLite's online backup
API) and ``media/``. The manifest counts every table's rows in the same snapshot the dump was taken
from (PostgreSQL: an exported snapshot shared with pg_dump; SQLite: counted in the copy) and holds a
SHA-256 of the dump and of every media file.

``restore_backup`` checks the archive against its manifest before touching anything, refuses a target
database that already has tables or a media folder that already has files, restores, and then checks
the restored rows and files against the manifest again. Every refusal is a ``BackupError`` with a
Chinese message; the management commands ``backup`` and ``restore`` print it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
ARCHIVE_PREFIX = "changqing-backup-"
ARCHIVE_SUFFIX = ".tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass
class Target:
    """Where a backup is read from or a restore goes: one database and one media folder."""

    engine: str  # "postgresql" or "sqlite"
    params: dict  # Django-style: NAME, USER, PASSWORD, HOST, PORT
    media_root: Path
    alias: str | None = None  # a Django connection alias when the target is a configured database

    @classmethod
    def from_settings(cls, alias: str = "default", media_root: Path | None = None) -> "Target":
        db = settings.DATABASES[alias]
        return cls(
            engine=_engine_name(db["ENGINE"]),
            params=dict(connections[alias].settings_dict),
            media_root=Path(media_root or settings.MEDIA_ROOT),
            alias=alias,
        )

    @classmethod
    def from_url(cls, url: str, media_root: Path) -> "Target":
        import dj_database_url

        db = dj_database_url.parse(url)
        return cls(engine=_engine_name(db["ENGINE"]), params=db, media_root=Path(media_root))


@dataclass
class Manifest:
    created_at: str
    engine: str
    tables: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)
    dump: dict = field(default_factory=dict)
    migrations: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        if data.get("format") != FORMAT_VERSION:
            raise BackupError(f"备份文件的格式版本是 {data.get('format')}，本程序只能恢复版本 {FORMAT_VERSION}。")
        return cls(**data)


def _engine_name(engine: str) -> str:
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    raise BackupError(f"不支持的数据库类型：{engine}（只支持 PostgreSQL 和 SQLite）")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- PostgreSQL


def _pg_conninfo(params: dict) -> dict:
    """psycopg keyword arguments and the environment pg_dump/pg_restore need for the same server."""
    kwargs = {"dbname": params.get("NAME") or "postgres"}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if params.get(key):
            kwargs[name] = str(params[key])
    return kwargs


def _pg_env(kwargs: dict) -> dict:
    env = dict(os.environ)
    for name, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if name in kwargs:
            env[var] = kwargs[name]
    return env


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）。")
    if done.returncode != 0:
        raise BackupError(f"{what}失败：{done.stderr.strip()[-2000:]}")


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables: list[str]) -> dict[str, str]:
    """The newest applied migration of each app, so a restore can say which code the data needs."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return {app: name for app, name in cursor.fetchall()}


def _pg_dump(target: Target, into: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Dumps in one snapshot: the rows are counted in the transaction whose snapshot pg_dump reads."""
    import psycopg

    kwargs = _pg_conninfo(target.params)
    with psycopg.connect(**kwargs) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _pg_tables(cursor)
            counts = _count_rows(cursor, tables)
            migrations = _migrations(cursor, tables)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             "--file", str(into), kwargs["dbname"]],
            _pg_env(kwargs), "导出数据库（pg_dump）",
        )
        conn.rollback()
    return counts, migrations


def _pg_restore(target: Target, dump: Path) -> None:
    import psycopg

    kwargs = _pg_conninfo(target.params)
    with psycopg.connect(**kwargs) as conn, conn.cursor() as cursor:
        tables = _pg_tables(cursor)
    if tables:
        raise BackupError(
            f"目标数据库“{kwargs['dbname']}”不是空的（已有 {len(tables)} 张表）。"
            "请先新建一个空数据库（createdb），再恢复到那里。"
        )
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--dbname", kwargs["dbname"], str(dump)],
        _pg_env(kwargs), "恢复数据库（pg_restore）",
    )


def _pg_counts(target: Target) -> dict[str, int]:
    import psycopg

    with psycopg.connect(**_pg_conninfo(target.params)) as conn, conn.cursor() as cursor:
        return _count_rows(cursor, _pg_tables(cursor))


# ---------------------------------------------------------------- SQLite


def _sqlite_source(target: Target):
    """The live sqlite3 connection when the target is a configured database (also in-memory test ones)."""
    if target.alias is not None:
        connection = connections[target.alias]
        connection.ensure_connection()
        return connection.connection, False
    return sqlite3.connect(target.params["NAME"]), True


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_counts(conn) -> dict[str, int]:
    return {table: conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0] for table in _sqlite_tables(conn)}


def _sqlite_dump(target: Target, into: Path) -> tuple[dict[str, int], dict[str, str]]:
    source, close = _sqlite_source(target)
    copy = sqlite3.connect(into)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy while others write
        tables = _sqlite_tables(copy)
        counts = _sqlite_counts(copy)
        migrations = _migrations(copy.cursor(), tables)
    finally:
        copy.close()
        if close:
            source.close()
    return counts, migrations


def _sqlite_restore(target: Target, dump: Path) -> None:
    destination, close = _sqlite_source(target)
    try:
        tables = _sqlite_tables(destination)
        if tables:
            raise BackupError(
                f"目标数据库“{target.params['NAME']}”不是空的（已有 {len(tables)} 张表）。"
                "请指定一个新的空数据库文件，再恢复到那里。"
            )
        source = sqlite3.connect(dump)
        try:
            source.backup(destination)
        finally:
            source.close()
    finally:
        if close:
            destination.close()


def _sqlite_restored_counts(target: Target) -> dict[str, int]:
    conn, close = _sqlite_source(target)
    try:
        return _sqlite_counts(conn)
    finally:
        if close:
            conn.close()


# ---------------------------------------------------------------- media


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def _media_manifest(root: Path) -> dict[str, dict]:
    return {
        path.relative_to(root).as_posix(): {"sha256": sha256_of(path), "size": path.stat().st_size}
        for path in _media_files(root)
    }


# ---------------------------------------------------------------- the two operations


def archive_name(moment: dt.datetime | None = None) -> str:
    moment = timezone.localtime(moment or timezone.now())
    return f"{ARCHIVE_PREFIX}{moment:%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"


def write_backup(output_dir: Path, target: Target | None = None, *, keep: int = 0) -> tuple[Path, Manifest]:
    """Writes one archive into output_dir (a temporary name renamed when complete); keeps the newest ``keep``."""
    target = target or Target.from_settings()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="changqing-backup-") as work:
        work = Path(work)
        dump_name = "db.dump" if target.engine == "postgresql" else "db.sqlite3"
        dump = work / dump_name
        if target.engine == "postgresql":
            counts, migrations = _pg_dump(target, dump)
        else:
            counts, migrations = _sqlite_dump(target, dump)
        manifest = Manifest(
            created_at=timezone.now().isoformat(),
            engine=target.engine,
            tables=counts,
            files=_media_manifest(target.media_root),
            dump={"name": dump_name, "sha256": sha256_of(dump), "size": dump.stat().st_size},
            migrations=migrations,
        )
        (work / "manifest.json").write_text(manifest.as_json(), encoding="utf-8")
        final = output_dir / archive_name()
        partial = final.with_name(final.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump_name)
            for relative in manifest.files:
                tar.add(target.media_root / relative, arcname=f"media/{relative}")
        os.replace(partial, final)
    if keep:
        prune(output_dir, keep)
    return final, manifest


def prune(output_dir: Path, keep: int) -> list[Path]:
    """Deletes all but the newest ``keep`` archives (names sort by time)."""
    archives = sorted(Path(output_dir).glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"))
    removed = archives[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件中有不安全的条目“{member.name}”，已拒绝恢复。")
        members.append(member)
    return members


def read_archive(archive: Path, into: Path) -> Manifest:
    """Unpacks and checks an archive against its own manifest; nothing is restored yet."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, members=_safe_members(tar), filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"无法读取备份文件 {archive}：{error}")
    manifest_path = into / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("备份文件中没有 manifest.json，不是常青的备份。")
    manifest = Manifest.from_json(manifest_path.read_text(encoding="utf-8"))
    dump = into / manifest.dump["name"]
    if not dump.exists() or sha256_of(dump) != manifest.dump["sha256"]:
        raise BackupError("备份中的数据库文件与清单的校验值不符：备份已损坏，未做任何恢复。")
    bad = [name for name, info in manifest.files.items()
           if not (into / "media" / name).exists() or sha256_of(into / "media" / name) != info["sha256"]]
    if bad:
        raise BackupError(f"备份中有 {len(bad)} 个文件与清单的校验值不符（如 {bad[0]}）：备份已损坏，未做任何恢复。")
    return manifest


@dataclass
class RestoreReport:
    manifest: Manifest
    tables: int
    rows: int
    files: int


def verify(target: Target, manifest: Manifest) -> None:
    """The restored rows and files, checked against the manifest; raises BackupError listing differences."""
    counts = _pg_counts(target) if target.engine == "postgresql" else _sqlite_restored_counts(target)
    problems = []
    for table, expected in sorted(manifest.tables.items()):
        got = counts.get(table)
        if got != expected:
            problems.append(f"表 {table}：清单 {expected} 行，恢复后 {got if got is not None else '缺失'}")
    files = _media_manifest(target.media_root)
    for name, info in sorted(manifest.files.items()):
        if files.get(name, {}).get("sha256") != info["sha256"]:
            problems.append(f"文件 {name}：校验值不符或缺失")
    if problems:
        raise BackupError("恢复后的核对未通过：\n" + "\n".join(problems[:50]))


def restore_backup(archive: Path, target: Target | None = None) -> RestoreReport:
    target = target or Target.from_settings()
    with tempfile.TemporaryDirectory(prefix="changqing-restore-") as work:
        work = Path(work)
        manifest = read_archive(Path(archive), work)
        if manifest.engine != target.engine:
            raise BackupError(
                f"这是 {manifest.engine} 数据库的备份，不能恢复到 {target.engine} 数据库。"
            )
        if _media_files(target.media_root):
            raise BackupError(f"目标文件目录 {target.media_root} 不是空的，请指定一个空目录。")
        dump = work / manifest.dump["name"]
        if target.engine == "postgresql":
            _pg_restore(target, dump)
        else:
            _sqlite_restore(target, dump)
        target.media_root.mkdir(parents=True, exist_ok=True)
        for name in manifest.files:
            destination = target.media_root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "media" / name, destination)
    verify(target, manifest)
    return RestoreReport(
        manifest=manifest,
        tables=len(manifest.tables),
        rows=sum(manifest.tables.values()),
        files=len(manifest.files),
    )
