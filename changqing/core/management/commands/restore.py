"""`manage.py restore ARCHIVE`: into an empty database and media folder, then checked against the manifest."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from changqing.core.backup import BackupError, Target, restore_backup


class Command(BaseCommand):
    help = "恢复：把 backup 命令写的归档恢复到一个空数据库和空文件目录，并按清单核对每张表的行数和每个文件。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档文件（.tar.gz）")
        parser.add_argument(
            "--database-url",
            help="恢复到这个数据库（如 postgres://user@host/新库 或 sqlite:////路径/新文件.sqlite3），默认是本系统配置的数据库",
        )
        parser.add_argument("--media-root", help="上传文件恢复到这个目录，默认是本系统配置的 MEDIA_ROOT")

    def handle(self, *args, archive, database_url=None, media_root=None, **options):
        media = Path(media_root) if media_root else Path(settings.MEDIA_ROOT)
        target = Target.from_url(database_url, media) if database_url else Target.from_settings(media_root=media)
        if not Path(archive).is_file():
            raise CommandError(f"找不到备份文件 {archive}")
        try:
            report = restore_backup(Path(archive), target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"已恢复并核对：{report.tables} 张表共 {report.rows} 行、{report.files} 个文件与清单一致"
            f"（备份时间 {report.manifest.created_at}）。"
        )
