from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.RetireeListView.as_view(), name="retirees"),
    path("<int:pk>/", views.retiree_detail, name="retiree_detail"),
]
