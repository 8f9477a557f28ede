from django.urls import path

from . import views

app_name = "roster"
urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.upload_detail, name="upload"),
    path("import/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("import/<int:pk>/errors.xlsx", views.upload_errors, name="upload_errors"),
    path("imports/", views.UploadListView.as_view(), name="uploads"),
    path("template.xlsx", views.template_xlsx, name="template"),
    path("export.xlsx", views.export_xlsx, name="export"),
]
