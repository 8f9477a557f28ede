from django.urls import path

from . import views

app_name = "lifeevents"
urlpatterns = [
    path("", views.home, name="home"),
    path("stays/", views.StayListView.as_view(), name="stays"),
    path("stays/new/", views.StayCreateView.as_view(), name="stay_create"),
    path("stays/<int:pk>/edit/", views.StayEditView.as_view(), name="stay_edit"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("deaths/", views.DeathListView.as_view(), name="deaths"),
    path("deaths/<int:pk>/", views.death_detail, name="death_detail"),
    path("deaths/<int:pk>/reverse/", views.DeathReverseView.as_view(), name="death_reverse"),
    path("checklist/<int:pk>/done/", views.ChecklistDoneView.as_view(), name="checklist_done"),
    path("retirees/<int:pk>/death/", views.DeathCreateView.as_view(), name="death_create"),
    path("retirees/<int:pk>/profile/", views.profile_detail, name="profile"),
    path("retirees/<int:pk>/profile/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/", views.ProfileListView.as_view(), name="profiles"),
    path("talents/", views.TalentListView.as_view(), name="talents"),
    path("talents/new/", views.TalentCreateView.as_view(), name="talent_create"),
    path("talents/<int:pk>/edit/", views.TalentEditView.as_view(), name="talent_edit"),
    path("elsewhere/", views.ElsewhereListView.as_view(), name="elsewhere"),
    path("elsewhere/new/", views.ElsewhereCreateView.as_view(), name="elsewhere_create"),
    path("elsewhere/<int:pk>/edit/", views.ElsewhereEditView.as_view(), name="elsewhere_edit"),
]
