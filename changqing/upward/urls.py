from django.urls import path

from . import views

app_name = "upward"
urlpatterns = [
    path("", views.tables, name="tables"),
    path("produce/", views.produce, name="produce"),
    path("records/", views.CellRecordsView.as_view(), name="records"),
    path("snapshots/", views.SnapshotListView.as_view(), name="snapshots"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
]
