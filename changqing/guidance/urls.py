from django.urls import path

from . import views

app_name = "guidance"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("mine/", views.my_work, name="mine"),
    path("stations/", views.StationListView.as_view(), name="stations"),
    path("stations/new/", views.StationCreateView.as_view(), name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/items/", views.standard_item_add, name="standard_item_add"),
    path("stations/<int:pk>/notice/<str:month>/", views.notice, name="notice"),
    path("orgs/", views.NewOrgListView.as_view(), name="neworgs"),
    path("orgs/new/", views.neworg_create, name="neworg_create"),
    path("orgs/<int:pk>/", views.neworg_detail, name="neworg_detail"),
    path("orgs/<int:pk>/edit/", views.neworg_edit, name="neworg_edit"),
    path("guides/", views.GuideListView.as_view(), name="guides"),
    path("guides/new/", views.GuideCreateView.as_view(), name="guide_create"),
    path("guides/<int:pk>/", views.guide_detail, name="guide_detail"),
    path("applications/", views.ApplicationListView.as_view(), name="applications"),
    path("applications/new/", views.ApplicationCreateView.as_view(), name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("help/", views.HelpRequestListView.as_view(), name="help"),
    path("help/new/", views.HelpCreateView.as_view(), name="help_create"),
    path("help/<int:pk>/", views.help_detail, name="help_detail"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("lists/", views.MonthlyListListView.as_view(), name="lists"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("materials/", views.MaterialListView.as_view(), name="materials"),
    path("materials/new/", views.MaterialCreateView.as_view(), name="material_create"),
    path("materials/<int:pk>/download/", views.material_download, name="material_download"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/<int:pk>/<int:year>/<int:quarter>/", views.evaluation_edit, name="evaluation_edit"),
]
