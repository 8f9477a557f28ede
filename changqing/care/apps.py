from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "changqing.care"
    label = "care"
    verbose_name = "关怀服务"
