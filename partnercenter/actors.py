"""Who is acting. Every request, page or API, becomes one Actor before any service or selector runs.

An actor carries the tenant (partner) or customer it acts for, the permissions it holds, and the
data scope that narrows what it sees: a member without `customers.view_all` sees only the customers
assigned to them or to the members under them (their team tree).
"""

from __future__ import annotations

import json
from functools import cached_property

from .choices import ActorKind, PartnerStatus
from .permissions import ALL_CODES

__all__ = [
    "Actor", "ANONYMOUS", "SCHEDULER", "PLATFORM_DOMAIN_ID", "actor_for_user", "actor_for_access_key", "team_of",
    "effective_permissions", "member_permissions",
]

# The X-Domain-Id a platform key's client sends (the official SDK needs one): the platform is no tenant.
PLATFORM_DOMAIN_ID = "platform"


class Actor:
    def __init__(self, kind, *, user=None, partner=None, member=None, customer=None, access_key=None,
                 permissions=frozenset(), ip=None):
        self.kind = kind
        self.user = user
        self.partner = partner
        self.member = member
        self.customer = customer
        self.access_key = access_key
        self.permissions = frozenset(permissions)
        self.ip = ip

    def __repr__(self):
        return f"<Actor {self.kind} {self.label}>"

    # -- what kind -------------------------------------------------------------------------
    @property
    def is_partner(self) -> bool:
        """Acts for a partner: a member or a partner access key."""
        return self.partner is not None and self.kind in (ActorKind.MEMBER, ActorKind.ACCESS_KEY)

    @property
    def is_customer(self) -> bool:
        return self.customer is not None and self.partner is None

    @property
    def is_platform(self) -> bool:
        """A platform key: the cloud's metering sending usage records. Neither a partner nor a customer, so
        every partner and customer endpoint refuses it; only the ingestion endpoint admits it."""
        return self.kind == ActorKind.PLATFORM and self.partner is None and self.customer is None

    @property
    def domain_id(self) -> str | None:
        """The account the actor acts for, as X-Domain-Id names it: its partner's, its customer's, or the
        platform's."""
        if self.partner is not None:
            return self.partner.domain_id
        if self.customer is not None:
            return self.customer.domain_id
        return PLATFORM_DOMAIN_ID if self.is_platform else None

    @property
    def label(self) -> str:
        if self.access_key is not None:
            return self.access_key.ak
        if self.member is not None:
            return self.user.username
        if self.user is not None:
            return self.user.username
        return str(self.kind)

    # -- what it may do ---------------------------------------------------------------------
    def has_perm(self, code: str) -> bool:
        return code in self.permissions

    @property
    def sees_all_customers(self) -> bool:
        return self.is_partner and self.has_perm("customers.view_all")

    @cached_property
    def team_member_ids(self) -> frozenset[int]:
        """The acting member and everyone under them, for account-manager scoping."""
        if self.member is None:
            return frozenset()
        return team_of(self.member)


ANONYMOUS = Actor(ActorKind.ANONYMOUS)
SCHEDULER = Actor(ActorKind.SCHEDULER)


def team_of(member) -> frozenset[int]:
    """A member and everyone under them (their team tree), read from the database now."""
    from .models import Member

    seen = {member.pk}
    frontier = [member.pk]
    while frontier:
        frontier = list(
            Member.objects.filter(supervisor_id__in=frontier, partner_id=member.partner_id)
            .exclude(pk__in=seen).values_list("pk", flat=True)
        )
        seen.update(frontier)
    return frozenset(seen)


def effective_permissions(partner, granted) -> frozenset[str]:
    """What `granted` (a role's codes) lets a member of `partner` do: nothing while the partner is not
    active, and cloud-reseller rights only at a distributor."""
    if partner.status != PartnerStatus.ACTIVE:
        return frozenset()
    granted = set(granted)
    if not partner.is_distributor:
        granted -= {"resellers.view", "resellers.manage"}
    return frozenset(granted)


def member_permissions(member, *, role_grants=None) -> frozenset[str]:
    """The member's rights from its roles; `role_grants` are the roles already read as
    [{"admin": …, "permissions": […]}, …] (the signed-request lookup joins them), else they are read."""
    granted: set[str] = set()
    if role_grants is None:
        for role in member.roles.all():
            granted |= role.granted()
    else:
        for role in role_grants:
            # as Role.granted(): the administrator role holds the whole catalogue. (SQLite's JSON_OBJECT
            # embeds a JSON column as its text.)
            codes = role["permissions"] or ()
            codes = json.loads(codes) if isinstance(codes, str) else codes
            granted |= ALL_CODES if role["admin"] else frozenset(codes) & ALL_CODES
    return effective_permissions(member.partner, granted)


def actor_for_user(user, *, ip=None) -> Actor:
    """The actor of a signed-in person: a member, a customer user, an operator or nobody."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor(ActorKind.ANONYMOUS, ip=ip)
    member = getattr(user, "member", None)
    if member is not None:
        return Actor(ActorKind.MEMBER, user=user, partner=member.partner, member=member,
                     permissions=member_permissions(member), ip=ip)
    customer_user = getattr(user, "customer_user", None)
    if customer_user is not None:
        return Actor(ActorKind.CUSTOMER_USER, user=user, customer=customer_user.customer, ip=ip)
    if user.is_staff:
        return Actor(ActorKind.OPERATOR, user=user, ip=ip)
    return Actor(ActorKind.ANONYMOUS, user=user, ip=ip)


def actor_for_access_key(key, *, ip=None) -> Actor | None:
    """The actor of a signed API call, or None when the key may not act (disabled, owner deactivated or
    gone, partner suspended, a platform key whose owner is no longer an operator).

    `key` comes with its owner, the owner's member or customer user and customer, and its partner already
    joined, and the owner's roles as `role_grants` (partnercenter/api/authentication.py reads them all in one
    statement, afresh on every call, so a right taken away is gone on the next request); a key read without
    them has its roles read here."""
    user = key.user
    if not key.is_active or not user.is_active:
        return None
    if key.is_platform:
        # An operator's key for the cloud's metering: its owner must still be staff and nobody's member or
        # customer user (all read with the key: no statement of its own).
        if key.partner_id is not None or not user.is_staff or getattr(user, "member", None) is not None \
                or getattr(user, "customer_user", None) is not None:
            return None
        return Actor(ActorKind.PLATFORM, user=user, access_key=key, ip=ip)
    if key.partner_id is not None:
        # A partner key acts with its owner's rights and data scope, as an IAM user's AK does: an
        # administrator's key sees the partner's whole book, an account manager's only their customers.
        member = getattr(user, "member", None)
        if key.partner.status != PartnerStatus.ACTIVE or member is None or member.partner_id != key.partner_id:
            return None
        member.partner = key.partner  # the same row, already read with the key: no second read
        # read with the key (None there: no role), else read now
        grants = (key.role_grants or []) if hasattr(key, "role_grants") else None
        return Actor(ActorKind.ACCESS_KEY, user=user, partner=key.partner, member=member, access_key=key,
                     permissions=member_permissions(member, role_grants=grants), ip=ip)
    customer_user = getattr(user, "customer_user", None)
    if customer_user is None:
        return None
    return Actor(ActorKind.ACCESS_KEY, user=user, customer=customer_user.customer, access_key=key, ip=ip)
