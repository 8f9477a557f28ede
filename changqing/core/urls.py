from django.urls import path

from . import faults, files, jobs_views, notify_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", faults.healthz, name="healthz"),
    path("read-aloud/me/", views.read_aloud_me, name="read_aloud_me"),
    path("history/<int:content_type_id>/<str:object_id>/", views.object_history, name="history"),
    path("changes/", views.ChangeListView.as_view(), name="changes"),
    path("changes/<int:pk>/restore/", views.restore, name="restore"),
    path("oplog/", views.OperationLogView.as_view(), name="oplog"),
    path("jobs/", jobs_views.JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", jobs_views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", jobs_views.job_download, name="job_download"),
    path("jobs/<int:pk>/rerun/", jobs_views.job_rerun, name="job_rerun"),
    path("notifications/", notify_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", notify_views.notification_open, name="notification_open"),
    path("notifications/read-all/", notify_views.notification_read_all, name="notifications_read_all"),
] + files.urlpatterns()
