from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "changqing.stats"
    label = "stats"
    verbose_name = "统计"
