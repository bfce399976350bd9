"""Tells the events app (core layer) who a customer's users are, without the core importing customers.

Imported by CustomersConfig.ready(). See events/audiences.py.
"""

from events import audiences

from .models import CustomerUser

__all__ = ["users_of_customers", "mobiles_of_users"]


def users_of_customers(customer_pks) -> dict[int, list[int]]:
    """The active users of each customer (one statement for the batch)."""
    found: dict[int, list[int]] = {}
    rows = (CustomerUser.objects.filter(customer_id__in=customer_pks, user__is_active=True)
            .order_by("customer_id", "user_id").values_list("customer_id", "user_id"))
    for customer_pk, user_id in rows:
        found.setdefault(customer_pk, []).append(user_id)
    return found


def mobiles_of_users(user_ids) -> dict[int, str]:
    """The customer's mobile number, for the account owner only: a customer's other users did not give
    that number and must not receive texts on it."""
    rows = (CustomerUser.objects.filter(user_id__in=user_ids, is_owner=True)
            .exclude(customer__mobile_phone="").values_list("user_id", "customer__mobile_phone"))
    return dict(rows)


audiences.register("customers", users=users_of_customers, mobiles=mobiles_of_users)
