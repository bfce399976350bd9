"""Who may call an endpoint: which kind of key (partner keys by default, or customer keys) and, for a
partner key, the right its owner must hold.

Every CBC view declares that right as `required_permission`: the same right as the page that shows the
same data — a code, a tuple of codes one of which suffices, a {method: …} mapping when one path has
two operations, or None for endpoints no partner right governs (customer keys). The permission classes
below check it before the view body runs; a view that declares nothing is refused to everyone, so a new
endpoint cannot forget it (tests/security/test_api_permissions.py walks every view).
"""

from rest_framework.permissions import BasePermission

__all__ = ["IsPartner", "IsCustomer", "IsDistributor", "IsPartnerOrCustomer", "required_rights"]

_UNDECLARED = object()


def required_rights(view, method: str):
    """The rights one of which a partner key's owner needs for `method` on `view`: a tuple (empty when
    none is needed), or None when the view declares nothing for it."""
    declared = getattr(view, "required_permission", _UNDECLARED)
    if isinstance(declared, dict):
        declared = declared.get("GET" if method == "HEAD" else method, _UNDECLARED)
    if declared is _UNDECLARED:
        return None
    if declared is None:
        return ()
    return (declared,) if isinstance(declared, str) else tuple(declared)


class _ActorPermission(BasePermission):
    def has_permission(self, request, view):
        actor = request.auth
        if actor is None:
            return False  # DRF turns this into NotAuthenticated (401) for anonymous requests
        if not self.allowed(actor):
            return False
        rights = required_rights(view, request.method)
        if rights is None:
            return False
        return actor.is_customer or not rights or any(actor.has_perm(code) for code in rights)

    def allowed(self, actor) -> bool:
        raise NotImplementedError


class IsPartner(_ActorPermission):
    """A partner's access key."""

    def allowed(self, actor):
        return actor.is_partner


class IsCustomer(_ActorPermission):
    """A customer's access key."""

    def allowed(self, actor):
        return actor.is_customer


class IsDistributor(_ActorPermission):
    """A distributor's access key (cloud-reseller endpoints)."""

    def allowed(self, actor):
        return actor.is_partner and actor.partner.is_distributor


class IsPartnerOrCustomer(_ActorPermission):
    """Either kind of key (endpoints Huawei opens to partners and customers alike)."""

    def allowed(self, actor):
        return actor.is_partner or actor.is_customer
