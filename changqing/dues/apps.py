from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "changqing.dues"
    label = "dues"
    verbose_name = "党费与支部经费"
