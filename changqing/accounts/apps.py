from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "changqing.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self):
        from changqing.core.nav import NavItem, register

        from . import signals  # noqa: F401  (connects the receivers)

        register(NavItem("用户管理", "accounts:users", action="manage", order=890),
                 NavItem("接口令牌", "accounts:token", action="manage", order=920),
                 # Everyone may enrol on /accounts/two-factor/ (linked from the account menu); admins find it here too.
                 NavItem("两步验证", "accounts:two_factor", action="manage", order=925))

        from . import apitoken, twofactor

        apitoken.connect_signals()
        twofactor.connect_signals()
