from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("history/<int:content_type_id>/<str:object_id>/", views.object_history, name="history"),
    path("changes/", views.ChangeListView.as_view(), name="changes"),
    path("changes/<int:pk>/restore/", views.restore, name="restore"),
    path("oplog/", views.OperationLogView.as_view(), name="oplog"),
]
