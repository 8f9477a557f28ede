"""/api/v1/: every app registers its viewsets on one router."""
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from changqing.members.api import register as register_members
from changqing.orgs.api import register as register_orgs

router = DefaultRouter()
register_orgs(router)
register_members(router)

urlpatterns = [path("", include(router.urls))]
