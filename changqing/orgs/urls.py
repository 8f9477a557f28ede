from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("new/", views.organization_edit, name="create"),
    path("zones/", views.ZoneListView.as_view(), name="zones"),
    path("<str:code>/", views.organization_detail, name="detail"),
    path("<str:code>/edit/", views.organization_edit, name="edit"),
]
