"""`manage.py backup`: one archive with the database, the media folder and a manifest (core/backup.py)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from changqing.core.backup import BackupError, Target, write_backup


class Command(BaseCommand):
    help = "备份：把数据库和上传文件写成一个归档（含各表行数和文件校验值的清单）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(Path(settings.VAR_DIR) / "backups"),
            help="归档写到哪个目录，默认 var/backups",
        )
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的 N 份归档（0 表示全部保留）")

    def handle(self, *args, output, keep, **options):
        if keep < 0:
            raise CommandError("--keep 不能是负数")
        try:
            archive, manifest = write_backup(Path(output), Target.from_settings(), keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"已备份：{archive}\n  {len(manifest.tables)} 张表，共 {rows} 行；{len(manifest.files)} 个文件。"
        )
