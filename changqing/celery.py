"""Celery application. With no broker configured tasks run eagerly in-process."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")

app = Celery("changqing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
