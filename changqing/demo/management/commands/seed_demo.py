import json
import time

from django.core.management.base import BaseCommand, CommandError

from changqing.demo.generator import ROOTS, load_demo
from changqing.orgs.models import Organization


class Command(BaseCommand):
    help = "生成确定性的演示数据：county（县，默认）、city（市，篇6数据）、province（省，约100万党员）"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(ROOTS), default="county")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="数据库已有组织时什么也不做")
        parser.add_argument("--no-history", action="store_true", help="不写变更记录（大规模数据时更快）")
        parser.add_argument("--members", type=int, default=1_000_000, help="省级规模的党员目标数")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, scale, seed, if_empty, no_history, members, format, **options):
        if Organization.objects.exists():
            if if_empty:
                if format == "text":
                    self.stdout.write("数据库中已有数据，跳过演示数据生成。")
                    self._print_users(ROOTS, format)
                return
            raise CommandError("数据库中已有组织数据。请换一个空数据库，或使用 --if-empty。")
        started = time.monotonic()
        # Text output shows progress and how long each part took (组织生活 … 3.2 秒).
        progress = (lambda m: self.stderr.write(m)) if format == "text" else None
        result = load_demo(scale, seed, members=members, log_history=not no_history and scale == "county",
                           progress=progress)
        counts, users = result.counts, result.users
        elapsed = time.monotonic() - started
        if format == "json":
            self.stdout.write(json.dumps({"scale": scale, "seed": seed, "seconds": round(elapsed, 2),
                                          **counts.__dict__, "users": users}, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已生成（{scale}，种子 {seed}，{elapsed:.1f} 秒）：组织 {counts.organizations} 个，片组 {counts.zones} 个，"
            f"离退休干部 {counts.retirees} 人，党员 {counts.members} 人，外出记录 {counts.absences} 条。"))
        self._print_table(users)

    def _print_users(self, roots, format):
        from changqing.accounts.models import User
        from changqing.demo.users import DEMO_PASSWORD

        users = [{"username": u.username, "password": DEMO_PASSWORD,
                  "role": "、".join(a.get_role_display() for a in u.role_assignments.all()),
                  "scope": "、".join(str(a.organization or a.zone or u.retiree or "") for a in u.role_assignments.all())}
                 for u in User.objects.filter(role_assignments__isnull=False, is_superuser=False).distinct()
                 .order_by("date_joined", "id").prefetch_related("role_assignments__organization",
                                                                 "role_assignments__zone")[:20]]
        self._print_table(users)

    def _print_table(self, users):
        self.stdout.write("演示账号（密码相同）：")
        for u in users:
            self.stdout.write(f"  {u['username']:<10} 密码 {u['password']}  {u['role']}（{u['scope']}）")
