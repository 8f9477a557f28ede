from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("changqing.core.urls")),
    path("accounts/", include("changqing.accounts.urls")),
    path("orgs/", include("changqing.orgs.urls")),
    path("policies/", include("changqing.policies.urls")),
    path("retirees/", include("changqing.members.urls")),
    path("roster/", include("changqing.roster.urls")),
    path("life/", include("changqing.life.urls")),
    path("dues/", include("changqing.dues.urls")),
    path("care/", include("changqing.care.urls")),
    path("guidance/", include("changqing.guidance.urls")),
    path("audit/", include("changqing.audit.urls")),
    path("evaluation/", include("changqing.evaluation.urls")),
    path("honours/", include("changqing.honours.urls")),
    path("stats/", include("changqing.stats.urls")),
    path("dashboards/", include("changqing.dashboards.urls")),
    path("reports/", include("changqing.reports.urls")),
    path("api/v1/", include("changqing.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Both need a login: the schema by token or session (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]), the docs page
    # sends a browser to the login page.
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
