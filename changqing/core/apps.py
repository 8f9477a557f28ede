from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "changqing.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self):
        from . import changelog, signals  # noqa: F401  (connect receivers)
        from .nav import NavItem, register

        register(
            NavItem("首页", "core:home", order=0),
            NavItem("变更记录", "core:changes", action="manage", order=900),
            NavItem("操作日志", "core:oplog", action="manage", order=910),
        )
