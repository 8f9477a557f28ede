from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "changqing.honours"
    label = "honours"
    verbose_name = "评选表彰"
