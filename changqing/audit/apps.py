from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "changqing.audit"
    label = "audit"
    verbose_name = "诚信审计"
