"""Which kind of key may call an endpoint: partner keys (the default) or customer keys."""

from rest_framework.permissions import BasePermission

__all__ = ["IsPartner", "IsCustomer", "IsDistributor", "IsPartnerOrCustomer"]


class _ActorPermission(BasePermission):
    def has_permission(self, request, view):
        actor = request.auth
        if actor is None:
            return False  # DRF turns this into NotAuthenticated (401) for anonymous requests
        return self.allowed(actor)

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
