"""Re-encrypt every encrypted field (ID numbers, phones) under the newest CHANGQING_FIELD_KEYS key.

The procedure (docs/deploy.md): put a new key first in CHANGQING_FIELD_KEYS, keep the old ones after
it, restart, run this command, then drop the old keys. Rows already under the newest key are skipped,
so an interrupted run is simply run again.
"""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from changqing.core import fieldcrypt


class Command(BaseCommand):
    help = "把身份证号、电话等加密字段全部改用 CHANGQING_FIELD_KEYS 中的第一个（最新）密钥重新加密，并重算查找用的散列。"

    def add_arguments(self, parser):
        parser.add_argument("--generate-key", action="store_true", help="只生成并打印一个新密钥，不改数据")
        parser.add_argument("--check", action="store_true",
                            help="只检查：还有多少个值不是用最新密钥加密的（有则返回非零退出码）")
        parser.add_argument("--batch-size", type=int, default=2000, help="每批读写的行数，默认 2000")

    def handle(self, *args, generate_key=False, check=False, batch_size=2000, **options):
        if generate_key:
            self.stdout.write(fieldcrypt.generate_key())
            return
        try:
            keys = fieldcrypt.keyring()
        except fieldcrypt.FieldKeyError as exc:
            raise CommandError(str(exc)) from None
        models = fieldcrypt.models_with_encrypted_fields()
        if check:
            stale = {m._meta.label: fieldcrypt.stale_values(m, connection) for m in models}
            for label, n in stale.items():
                self.stdout.write(f"{label}: {n} 个值未使用最新密钥")
            if any(stale.values()):
                raise CommandError(f"共 {sum(stale.values())} 个值未使用最新密钥，请运行 manage.py rotate_field_keys")
            self.stdout.write(self.style.SUCCESS(f"全部加密字段都已使用最新密钥（{keys[0].kid}）"))
            return
        started, total = time.monotonic(), 0
        for model in models:
            t0 = time.monotonic()
            try:
                n = fieldcrypt.reencrypt_model(model, connection, batch_size=batch_size)
            except fieldcrypt.DecryptionError as exc:
                raise CommandError(f"{model._meta.label}：{exc}") from None
            total += n
            self.stdout.write(f"{model._meta.label}: 重新加密 {n} 行（{time.monotonic() - t0:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS(
            f"完成：共重新加密 {total} 行，用时 {time.monotonic() - started:.1f} 秒；最新密钥 {keys[0].kid}。"
            "确认无误后可从 CHANGQING_FIELD_KEYS 中删去旧密钥（先用 --check 核对）。"))
