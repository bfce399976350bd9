"""Trade's tile on the home page (partnercenter/dashboard.py), registered in ready(): the customers'
partner-payment requests (余额支付) waiting for the viewer's decision, linking to the inbox that lists them.

One statement, served by the index payment_request_inbox (partner, status, created); it grows with what
is pending only. An account manager counts its team's customers' requests (trade.selectors)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnercenter import dashboard
from partnercenter.dashboard import TODO, Tile

from . import selectors
from .choices import PaymentRequestStatus

__all__ = ["TILES"]

TILES = (
    Tile("trade.payment_requests", _("Payment requests waiting for you"), permission="orders.pay", section=TODO,
         order=30, todo=True,
         value=lambda actor: selectors.payment_requests_for(actor).filter(status=PaymentRequestStatus.PENDING).count(),
         url=lambda actor: reverse("trade:payment_requests")),
)

dashboard.register(*TILES)
