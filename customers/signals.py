"""What the customers domain announces to the apps above it (ARCHITECTURE rule 11).

Sent inside the transaction that changes the association, so receivers' work (reclaiming allocated
funds as 解绑回收, reclaiming partner-issued coupons) commits or rolls back with it.
"""

from django.dispatch import Signal

__all__ = ["association_ended"]

# kwargs: association (the ended row), cause ("disassociation" | "type_switch"), actor
association_ended = Signal()
