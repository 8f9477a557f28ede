from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.RetireeListView.as_view(), name="retirees"),
    path("new/", views.retiree_create, name="retiree_create"),
    path("<int:pk>/", views.retiree_detail, name="retiree_detail"),
    path("<int:pk>/edit/", views.retiree_edit, name="retiree_edit"),
    path("<int:pk>/reveal/", views.retiree_reveal, name="retiree_reveal"),
    path("<int:pk>/death/", views.RetireeDeathView.as_view(), name="retiree_death"),
    path("<int:pk>/membership/new/", views.MembershipCreateView.as_view(), name="membership_create"),
    path("<int:pk>/membership/edit/", views.membership_edit, name="membership_edit"),
    path("<int:pk>/membership/full/", views.MembershipMakeFullView.as_view(), name="membership_make_full"),
    path("<int:pk>/membership/move/", views.MembershipMoveView.as_view(), name="membership_move"),
    path("<int:pk>/membership/transfer-out/", views.MembershipTransferOutView.as_view(), name="membership_transfer_out"),
    path("<int:pk>/membership/transfer-in/", views.MembershipTransferInView.as_view(), name="membership_transfer_in"),
    path("<int:pk>/membership/leave/", views.MembershipLeaveView.as_view(), name="membership_leave"),
    path("<int:pk>/absences/new/", views.absence_create, name="absence_create"),
    path("absences/", views.AbsenceListView.as_view(), name="absences"),
    path("absences/<int:pk>/edit/", views.absence_edit, name="absence_edit"),
    path("transfers/", views.TransferListView.as_view(), name="transfers"),
]
