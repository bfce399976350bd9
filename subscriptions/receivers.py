"""Subscriptions' reactions to what trade announces (ARCHITECTURE rule 11), connected in
SubscriptionsConfig.ready()."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from partnercenter.errors import Codes, DomainError
from trade.signals import vat_invoice_recording

from .models import RefundItem

__all__ = ["refuse_invoice_of_a_refunded_order"]


@receiver(vat_invoice_recording, dispatch_uid="subscriptions.refuse_invoice_of_a_refunded_order")
def refuse_invoice_of_a_refunded_order(sender, order, actor, **kwargs):
    """No VAT invoice for an order an unsubscription (or an instant switch to pay-per-use) refunded, wholly or
    in part: what it counts as invoiceable changed. Runs with the order locked (trade.services.
    record_vat_invoice); an unsubscription locks the orders it refunds at the same step (subscriptions/locks.py),
    so its RefundItems are either committed and seen here, or it waits and then finds the invoice."""
    refunded = RefundItem.objects.filter(base_order=order).select_related("order").order_by("id").first()
    if refunded is not None:
        raise DomainError(Codes.CONFLICT, _(
            "Order %(id)s was unsubscribed (refund order %(refund)s): its VAT invoice can no longer be recorded.")
            % {"id": order.order_id, "refund": refunded.order.order_id})
