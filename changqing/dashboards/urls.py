from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("compliance/", views.compliance, name="compliance"),
    path("dues/", views.dues, name="dues"),
    path("care/", views.care, name="care"),
    path("zones/", views.zones, name="zones"),
    path("screen/", views.screen, name="screen"),
    path("records/", views.RecordsView.as_view(), name="records"),
]
