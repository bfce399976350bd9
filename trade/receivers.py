"""Trade's reactions to what the customers domain announces (ARCHITECTURE rule 11)."""

from django.dispatch import receiver

from customers.signals import association_ended

from . import payment


@receiver(association_ended, dispatch_uid="trade.end_payment_requests")
def end_payment_requests(sender, association, cause, actor, **kwargs):
    """A disassociated customer's pending 余额支付 requests end, inside the same transaction."""
    payment.end_requests_on_disassociation(association=association, cause=cause, actor=actor)
