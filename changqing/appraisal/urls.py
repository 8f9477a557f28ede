from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/self/", views.self_appraisal, name="self"),
    path("<int:pk>/self/<int:member>/", views.self_appraisal, name="self_for"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/ballot/<int:member>/", views.ballot, name="ballot_for"),
    path("<int:pk>/grades/", views.grades, name="grades"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/print/<str:what>/", views.print_round, name="print"),
    path("<int:pk>/result/<int:member>/", views.print_result, name="result"),
    path("steps/<int:pk>/", views.step_edit, name="step"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow_up"),
]
