from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.BranchDuesListView.as_view(), name="home"),
    path("members/", views.MemberDuesListView.as_view(), name="members"),
    path("member/<int:pk>/", views.member_dues, name="member"),
    path("member/<int:pk>/base/", views.base_add, name="base_add"),
    path("member/<int:pk>/payment/", views.payment_add, name="payment_add"),
    path("member/<int:pk>/voluntary/", views.voluntary_add, name="voluntary_add"),
    path("member/<int:pk>/hardship/", views.hardship_add, name="hardship_add"),
    path("payment/<int:pk>/delete/", views.payment_delete, name="payment_delete"),
    path("payments/", views.PaymentListView.as_view(), name="payments"),
    path("payments/large/", views.LargePaymentListView.as_view(), name="large_payments"),
    path("hardship/", views.HardshipListView.as_view(), name="hardships"),
    path("sheet/", views.sheet_start, name="sheet_start"),
    path("sheet/<str:code>/<str:month>/", views.sheet, name="sheet"),
    path("ledger/<str:code>/<int:year>/", views.ledger, name="ledger"),
    path("fund/", views.FundSummaryView.as_view(), name="funds"),
    path("fund/<str:code>/", views.fund, name="fund"),
    path("fund/<str:code>/new/", views.fund_add, name="fund_add"),
    path("policy/<str:code>/", views.policy, name="policy"),
]
