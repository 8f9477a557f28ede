from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "changqing.reports"
    label = "reports"
    verbose_name = "年度报告"

    def ready(self):
        from changqing.core.nav import NavItem, register

        from . import jobs  # noqa: F401 - registers the background job

        register(NavItem("年度报告", "reports:index", action="export", order=620))
