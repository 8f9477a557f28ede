"""/api/v1/: every app registers its viewsets on one router (see <app>/api.py)."""
from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from changqing.accounts.tokens import ObtainToken

API_APPS = ["policies", "orgs", "members", "roster", "life", "dues", "care", "guidance", "audit", "evaluation", "honours",
            "stats", "dashboards",
            "reports"]

router = DefaultRouter()
for app in API_APPS:
    import_module(f"changqing.{app}.api").register(router)

urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("", include(router.urls)),
]
