from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "changqing.roster"
    label = "roster"
    verbose_name = "名册导入导出"

    def ready(self):
        from changqing.core.nav import NavItem, register

        register(NavItem("名册导入", "roster:import", action="change", order=32))
        try:
            from . import jobs  # noqa: F401 - registers the background jobs
        except ImportError:  # the job framework is optional: imports then run in the request
            pass
