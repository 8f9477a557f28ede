from django.urls import path

from . import views

app_name = "honours"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path("campaigns/<int:pk>/categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("campaigns/<int:pk>/nominate/", views.NominationCreateView.as_view(), name="nomination_create"),
    path("campaigns/<int:pk>/vote/", views.ballot, name="ballot"),
    path("campaigns/<int:pk>/counting/", views.counting, name="counting"),
    path("campaigns/<int:pk>/results/", views.results, name="results"),
    path("campaigns/<int:pk>/results/print/", views.results_print, name="results_print"),
    path("categories/<int:pk>/edit/", views.CategoryEditView.as_view(), name="category_edit"),
    path("nominations/", views.NominationListView.as_view(), name="nominations"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/attachment/", views.nomination_attachment, name="nomination_attachment"),
]
