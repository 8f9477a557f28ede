from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.FindingListView.as_view(), name="findings"),
    path("<int:pk>/", views.finding_detail, name="finding_detail"),
    path("run/", views.run_audit, name="run"),
]
