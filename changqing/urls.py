from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("changqing.core.urls")),
    path("accounts/", include("changqing.accounts.urls")),
    path("orgs/", include("changqing.orgs.urls")),
    path("policies/", include("changqing.policies.urls")),
    path("retirees/", include("changqing.members.urls")),
    path("roster/", include("changqing.roster.urls")),
    path("life/", include("changqing.life.urls")),
    path("appraisal/", include("changqing.appraisal.urls")),
    path("dues/", include("changqing.dues.urls")),
    path("care/", include("changqing.care.urls")),
    path("guidance/", include("changqing.guidance.urls")),
    path("audit/", include("changqing.audit.urls")),
    path("evaluation/", include("changqing.evaluation.urls")),
    path("honours/", include("changqing.honours.urls")),
    path("lifeevents/", include("changqing.lifeevents.urls")),
    path("stats/", include("changqing.stats.urls")),
    path("dashboards/", include("changqing.dashboards.urls")),
    path("reports/", include("changqing.reports.urls")),
    path("completeness/", include("changqing.completeness.urls")),
    path("upward/", include("changqing.upward.urls")),
    path("api/v1/", include("changqing.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Both need a login: the schema by token or session (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]), the docs page
    # sends a browser to the login page. The split view serves its start-up script as a file (no inline script
    # under the CSP); the page keeps its one small <style> element, allowed on this page only.
    path("api/docs/", login_required(csp_update({"style-src": [UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"))), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

# Chinese error pages in the site's layout (changqing/core/errors.py); CSRF failures: settings.CSRF_FAILURE_VIEW.
handler400 = "changqing.core.errors.bad_request"
handler403 = "changqing.core.errors.permission_denied"
handler404 = "changqing.core.errors.page_not_found"
handler500 = "changqing.core.errors.server_error"
