"""Trade's reactions to what the customers domain announces (ARCHITECTURE rule 11)."""

from django.dispatch import receiver

from customers.signals import association_ended

from . import payment, services


@receiver(association_ended, dispatch_uid="trade.end_payment_requests")
def end_payment_requests(sender, association, cause, actor, **kwargs):
    """A disassociated customer's pending orders in the partner's book are cancelled and its pending 余额支付
    requests end, inside the same transaction (a type switch keeps both: the partner still is the partner)."""
    if cause == "disassociation":
        services.cancel_on_disassociation(association=association, actor=actor)
    payment.end_requests_on_disassociation(association=association, cause=cause, actor=actor)
