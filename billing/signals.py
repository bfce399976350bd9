"""What the money domain announces to the apps above it (ARCHITECTURE rule 11).

Sent inside the transaction that moves the money, so the receivers' work commits or rolls back with it.
"""

from django.dispatch import Signal

__all__ = ["customer_balance_credited"]

# Money reached the balance of customers that owe arrears (欠费): an allocation, a refund to the balance, any
# positive change of a customer's cash balance. Sent only for customers whose account shows arrears, after the
# credit and its ledger entry, while the account row is locked by the crediting UPDATE. bills pays the
# arrears first (bills/receivers.py). kwargs: credits — {customer pk: trans_id of the crediting movement}.
customer_balance_credited = Signal()
