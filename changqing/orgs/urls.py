from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("new/", views.OrganizationEditView.as_view(), name="create"),
    path("tree/", views.organization_tree, name="tree"),
    path("tree/<str:code>/", views.organization_tree_children, name="tree_children"),
    path("zones/", views.ZoneListView.as_view(), name="zones"),
    path("zones/new/", views.ZoneEditView.as_view(), name="zone_create"),
    path("zones/<int:pk>/edit/", views.ZoneEditView.as_view(), name="zone_edit"),
    path("terms/", views.TermListView.as_view(), name="terms"),
    path("warnings/", views.SizeWarningListView.as_view(), name="warnings"),
    path("elections/", views.ElectionListView.as_view(), name="elections"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("elections/<int:pk>/correct/", views.election_correct, name="election_correct"),
    path("liaisons/", views.LiaisonListView.as_view(), name="liaisons"),
    path("liaisons/<int:pk>/", views.liaison_detail, name="liaison_detail"),
    path("liaisons/<int:pk>/end/", views.LiaisonEndView.as_view(), name="liaison_end"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment_end"),
    path("restructurings/", views.RestructuringListView.as_view(), name="restructurings"),
    path("<str:code>/", views.organization_detail, name="detail"),
    path("<str:code>/edit/", views.OrganizationEditView.as_view(), name="edit"),
    path("<str:code>/committee/", views.committee, name="committee"),
    path("<str:code>/committee/term/", views.TermCreateView.as_view(), name="term_create"),
    path("<str:code>/committee/election/", views.election_create, name="election_create"),
    path("<str:code>/liaison/", views.LiaisonCreateView.as_view(), name="liaison_create"),
    path("<str:code>/assignment/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("<str:code>/merge/", views.OrganizationMergeView.as_view(), name="merge"),
    path("<str:code>/split/", views.OrganizationSplitView.as_view(), name="split"),
    path("<str:code>/move/", views.OrganizationMoveView.as_view(), name="move"),
]
