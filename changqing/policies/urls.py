from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("pick/", views.policy_pick, name="pick"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("set/<str:kind>/<str:code>/", views.policy_set, name="set"),
]
