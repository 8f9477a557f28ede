"""Daily digest: one message per user with what is due today, from every registered provider."""
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from changqing.core.notify import digest_providers, send_digests


class Command(BaseCommand):
    help = "汇总各模块的到期事项，给每位用户发送一条当日待办提醒（同一天重复运行不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天汇总，格式 YYYY-MM-DD，默认今天")
        parser.add_argument("--user", help="只发给这个用户名")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发送")

    def handle(self, *args, date=None, user=None, dry_run=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期「{date}」格式不对，应为 YYYY-MM-DD，例如 2026-11-24") from None
        users = None
        if user:
            users = get_user_model().objects.filter(username=user, is_active=True)
            if not users.exists():
                raise CommandError(f"没有名为「{user}」的在用账号")
        if not digest_providers():
            self.stdout.write("提示：还没有模块登记待办汇总提供者，没有可发送的内容。")
        report = send_digests(today=today, users=users, dry_run=dry_run)
        verb = "将发送" if dry_run else "已发送"
        self.stdout.write(
            f"{report.date:%Y-%m-%d}：检查 {report.users_checked} 位用户，{verb} {report.users_sent} 条提醒，"
            f"共 {report.items} 项待办；今天已发过而跳过 {report.skipped_already_sent} 位。"
        )
        for error in report.errors:
            self.stderr.write(f"发送失败：{error}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} 位用户发送失败，详见上方")
