"""What trade announces to the apps above it (ARCHITECTURE rule 11), inside the transaction of the change,
so a receiver's refusal (a DomainError) rolls the change back.
"""

from django.dispatch import Signal

__all__ = ["vat_invoice_recording"]

# kwargs: order (the Order, locked: step 5 of trade/locks.py), actor. Sent by services.record_vat_invoice
# before the invoice is recorded; a receiver raises DomainError to refuse it (subscriptions: the order was
# unsubscribed, wholly or in part).
vat_invoice_recording = Signal()
