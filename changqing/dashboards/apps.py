from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "changqing.dashboards"
    label = "dashboards"
    verbose_name = "数据看板"
