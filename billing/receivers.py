"""The money domain's reactions to what the customers domain announces (ARCHITECTURE rule 11)."""

from django.dispatch import receiver

from customers.signals import association_ended

from . import services


@receiver(association_ended, dispatch_uid="billing.reclaim_on_unbind")
def reclaim_allocated_funds(sender, association, cause, actor, **kwargs):
    """解绑回收: inside the transaction that ends the association, so both commit or neither does."""
    services.reclaim_on_unbind(actor, association=association)
