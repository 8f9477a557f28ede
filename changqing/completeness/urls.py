from django.urls import path

from . import views

app_name = "completeness"
urlpatterns = [
    path("", views.board, name="board"),
    path("branch/<str:code>/", views.branch, name="branch"),
]
