from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.statistics, name="home"),
    path("records/", views.FigureRecordsView.as_view(), name="records"),
]
