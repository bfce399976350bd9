"""Where rows of the customers domain are locked (cf. Saleor's lock_objects.py).

The association row is the first lock of every write that depends on a customer still being a
partner's: the disassociation and the type switch hold it while `association_ended` reclaims the
customer's funds and coupons, and allocations, reclaims and coupon issues take it before they touch
money or quotas. So a write either finishes before the association ends (and is reclaimed with the
rest) or sees it ended and is refused.

The order, across apps (billing/locks.py and vouchers/locks.py continue it):
1. an association event (deciding one moves it from pending with a conditional UPDATE);
2. the association — an ended one before the one that replaced it (pk order);
3. money rows (billing), then coupons and quotas (vouchers).

`no_key=True` (FOR NO KEY UPDATE) conflicts with every other writer of the row, but not with inserts
of rows that only reference it (a new event), which need no wait.
"""

from .models import Association

__all__ = ["lock_association", "lock_current_association", "lock_current_associations"]


def lock_association(association_id) -> Association | None:
    """Lock one association and return it as it is now (`ended_on` set if it ended while we waited)."""
    return Association.objects.select_for_update(no_key=True).filter(pk=association_id).first()


def lock_current_association(association) -> Association | None:
    """Lock `association`, a customer's association with a partner seen before the transaction, and
    return the one that holds now between the same customer and partner, locked: the same row while
    it is active, the new one after a type switch, None after a disassociation."""
    locked = lock_association(association.pk)
    if locked is not None and locked.ended_on is None:
        return locked
    # Read after the wait, so it sees what the type switch created; an ended row comes first (pk order).
    return Association.objects.select_for_update(no_key=True).filter(
        customer_id=association.customer_id, partner_id=association.partner_id, ended_on__isnull=True).first()


def lock_current_associations(associations) -> dict[int, Association | None]:
    """`lock_current_association` for many at once: `associations` were seen before the transaction;
    returns, by the pk of each, the association that holds now between the same customer and partner,
    locked (the same row while it is active, the new one after a type switch, None after a
    disassociation). One statement (pk order), and a second only when some of them ended meanwhile."""
    seen = {association.pk: association for association in associations}
    locked = Association.objects.select_for_update(no_key=True).order_by("pk")
    current = {a.pk: a for a in locked.filter(pk__in=seen) if a.ended_on is None}
    ended = [seen[pk] for pk in seen if pk not in current]
    if ended:
        # Read after the wait, so it sees what a type switch created (cf. lock_current_association).
        replacements = {}
        for a in locked.filter(customer_id__in={e.customer_id for e in ended},
                               partner_id__in={e.partner_id for e in ended}, ended_on__isnull=True):
            replacements.setdefault((a.customer_id, a.partner_id), a)
        current.update((e.pk, replacements.get((e.customer_id, e.partner_id))) for e in ended)
    return current
