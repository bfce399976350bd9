"""Who a customer is, for the events app: a registry the domain apps fill in.

The events app is part of the core layer and may not import `customers`, yet a customer-audience
event must reach the customer's users and an SMS needs a customer user's mobile number. The customers
app registers two resolvers in its AppConfig.ready() (customers/event_audience.py):

    audiences.register("customers", users=users_of_customers, mobiles=mobiles_of_users)

`users(customer_pks)` returns {customer pk: [user id, …]} for the active users of those customers and
`mobiles(user_ids)` returns {user id: mobile number} for those that have one. Each resolver answers a
whole batch in one statement, so the dispatcher's statement count does not grow with the batch.
"""

from collections.abc import Callable, Iterable

__all__ = ["register", "users_of_customers", "mobiles_of"]

_USERS: dict[str, Callable] = {}
_MOBILES: dict[str, Callable] = {}


def register(name: str, *, users: Callable | None = None, mobiles: Callable | None = None) -> None:
    """Register (or replace, by name: ready() may run twice in tests) an app's resolvers."""
    if users is not None:
        _USERS[name] = users
    if mobiles is not None:
        _MOBILES[name] = mobiles


def users_of_customers(customer_pks: Iterable[int]) -> dict[int, list[int]]:
    customer_pks = sorted({pk for pk in customer_pks if pk is not None})
    found: dict[int, list[int]] = {}
    if not customer_pks:
        return found
    for resolve in _USERS.values():
        for customer_pk, user_ids in resolve(customer_pks).items():
            found.setdefault(customer_pk, []).extend(user_ids)
    return found


def mobiles_of(user_ids: Iterable[int]) -> dict[int, str]:
    user_ids = sorted(set(user_ids))
    found: dict[int, str] = {}
    if not user_ids:
        return found
    for resolve in _MOBILES.values():
        found.update({user_id: mobile for user_id, mobile in resolve(user_ids).items() if mobile})
    return found
