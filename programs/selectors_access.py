"""Reads of the access area, scoped to the actor: another partner's (or customer's) row is not found."""

from partnercenter.choices import ActorKind

from .models import RegistrationLink, ResellerRequest

__all__ = ["registration_links_for", "reseller_requests_for", "own_reseller_requests"]


def registration_links_for(actor):
    """The registration links the actor's partner asked for (never a token: only hashes are stored)."""
    if not actor.is_partner:
        return RegistrationLink.objects.none()
    return RegistrationLink.objects.filter(partner=actor.partner).select_related("path", "new_partner", "created_by")


def reseller_requests_for(actor):
    """成为云经销商 requests addressed to the actor's partner, for a distributor's member who manages resellers."""
    if not actor.is_partner or not actor.partner.is_distributor or not actor.has_perm("resellers.manage"):
        return ResellerRequest.objects.none()
    return ResellerRequest.objects.filter(distributor=actor.partner).select_related(
        "customer", "reseller", "requested_by", "decided_by")


def own_reseller_requests(actor):
    """A customer's user: its own account's requests only."""
    if actor.kind != ActorKind.CUSTOMER_USER or not actor.is_customer:
        return ResellerRequest.objects.none()
    return ResellerRequest.objects.filter(customer=actor.customer).select_related("distributor", "reseller")
