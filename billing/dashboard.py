"""The money domain's tiles on the home page (partnercenter/dashboard.py), registered in ready().

账户余额 and its parts as 账户总览 shows them, from the partner's one account row, read once for the four
tiles (`dashboard.shared`); each part links to 收支明细 filtered to that balance.
"""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from partnercenter import dashboard
from partnercenter.dashboard import MONEY, Tile

from . import selectors
from .choices import BalanceType

__all__ = ["TILES"]


def _account(actor):
    return dashboard.shared(actor, "billing.account", lambda: selectors.partner_account_of(actor.partner))


def _ledger(balance_type):
    return lambda actor: f"{reverse('billing:ledger')}?{urlencode({'balance_type': balance_type})}"


def _part(key, label, attribute, balance_type, order):
    return Tile(key, label, value=lambda actor: getattr(_account(actor), attribute), url=_ledger(balance_type),
                permission="billing.view", section=MONEY, order=order, money=True, part_of="billing.available")


TILES = (
    Tile("billing.available", _("Account balance"), value=lambda actor: _account(actor).available,
         url=lambda actor: reverse("billing:overview"), permission="billing.view", section=MONEY, order=0, money=True),
    _part("billing.cash", _("Cash account"), "cash_balance", BalanceType.CASH, 1),
    _part("billing.credit", _("Credit account"), "credit_limit", BalanceType.CREDIT, 2),
    _part("billing.allocated", _("Allocated amount"), "allocated_amount", BalanceType.ALLOCATED, 3),
)

dashboard.register(*TILES)
