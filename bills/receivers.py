"""Consumption and bills' reactions to what the money domain announces (ARCHITECTURE rule 11)."""

from django.dispatch import receiver

from billing.signals import customer_balance_credited

from . import arrears


@receiver(customer_balance_credited, dispatch_uid="bills.pay_arrears")
def pay_arrears(sender, credits, **kwargs):
    """欠费核销: money that reaches a customer in arrears pays them first, inside the crediting transaction."""
    return arrears.pay(credits)
