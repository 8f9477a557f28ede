from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "changqing.guidance"
    label = "guidance"
    verbose_name = "两新党建指导站"
