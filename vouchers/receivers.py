"""The vouchers domain's reactions to what the customers domain announces."""

from django.dispatch import receiver

from customers.signals import association_ended

from . import services


@receiver(association_ended, dispatch_uid="vouchers.reclaim_on_association_end")
def reclaim_partner_coupons(sender, association, cause, actor, **kwargs):
    """Operation types 3 (disassociation) and 8 (type switch), inside the same transaction."""
    services.reclaim_on_association_end(association=association, cause=cause, actor=actor)
