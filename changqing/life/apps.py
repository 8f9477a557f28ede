from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "changqing.life"
    label = "life"
    verbose_name = "组织生活"
