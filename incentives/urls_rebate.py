"""Pages of the rebate account and 激励返点提现 (names `incentives:<name>`; see incentives/views_withdrawals.py)."""

from django.urls import path

from . import views_withdrawals

urlpatterns = [
    path("rebate/", views_withdrawals.rebate, name="rebate"),
    path("rebate/ledger/", views_withdrawals.rebate_ledger, name="rebate_ledger"),
    path("rebate/withdraw/", views_withdrawals.withdraw, name="withdraw"),
    path("rebate/withdrawals/<str:withdrawal_no>/", views_withdrawals.withdrawal_detail, name="withdrawal_detail"),
]
