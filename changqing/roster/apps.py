from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "changqing.roster"
    label = "roster"
    verbose_name = "名册导入导出"
