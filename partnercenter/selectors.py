"""Every read of the core, scoped to the actor: another partner's rows are simply not there."""

from django.db.models import Count

from .choices import PartnerType
from .collation import by_name
from .models import AccessKey, Invitation, Member, OperationLog, Partner, Role

__all__ = [
    "roles_for", "members_for", "account_managers_for", "invitations_for", "access_keys_for", "operation_logs_for", "resellers_for",
    "reseller_for", "book_owner",
]


def _partner_or_none(actor):
    return actor.partner if actor.is_partner else None


def roles_for(actor):
    partner = _partner_or_none(actor)
    if partner is None or not (actor.has_perm("org.manage_roles") or actor.has_perm("org.view_members")):
        return Role.objects.none()
    return Role.objects.filter(partner=partner).annotate(member_count=Count("members"))


def members_for(actor):
    partner = _partner_or_none(actor)
    if partner is None or not actor.has_perm("org.view_members"):
        return Member.objects.none()
    return (
        Member.objects.filter(partner=partner)
        .select_related("user", "supervisor")
        .prefetch_related("roles")
        .order_by(by_name("display_name"), "pk")
    )


def account_managers_for(actor):
    """Members a customer can be assigned to (or filtered by): the partner's active members — for an
    account manager without the whole book, only their team."""
    partner = _partner_or_none(actor)
    if partner is None:
        return Member.objects.none()
    queryset = Member.objects.filter(partner=partner, user__is_active=True).select_related("user")
    if not actor.sees_all_customers:
        queryset = queryset.filter(pk__in=actor.team_member_ids)
    return queryset.order_by(by_name("display_name"), "pk")


def invitations_for(actor):
    partner = _partner_or_none(actor)
    if partner is None or not actor.has_perm("org.manage_members"):
        return Invitation.objects.none()
    return Invitation.objects.filter(partner=partner).select_related("invited_by").prefetch_related("roles")


def access_keys_for(actor):
    """A partner's keys for members who manage credentials; a customer user's own account's keys."""
    if actor.is_partner:
        if not actor.has_perm("credentials.manage"):
            return AccessKey.objects.none()
        return AccessKey.objects.filter(partner=actor.partner).select_related("user")
    if actor.is_customer:
        return AccessKey.objects.filter(partner__isnull=True, user__customer_user__customer=actor.customer).select_related("user")
    return AccessKey.objects.none()


def operation_logs_for(actor):
    partner = _partner_or_none(actor)
    if partner is None or not actor.has_perm("org.view_oplog"):
        return OperationLog.objects.none()
    return OperationLog.objects.filter(partner=partner)


def resellers_for(actor):
    """A distributor's cloud resellers, the latest associated first; nobody else has any."""
    partner = _partner_or_none(actor)
    if partner is None or partner.partner_type != PartnerType.DISTRIBUTOR or not actor.has_perm("resellers.view"):
        return Partner.objects.none()
    queryset = Partner.objects.filter(distributor=partner, partner_type=PartnerType.RESELLER)
    return queryset.select_related("reseller_account_manager__user").order_by("-associated_on", "pk")


def reseller_for(actor, indirect_partner_id: str):
    """The distributor's reseller with this id, or None (another's reseller is as absent as a made-up id).

    The one place a named reseller (`indirect_partner_id`) is resolved: it needs a distributor's member
    (or key) holding resellers.view; what it may then read of that reseller is each domain's own right
    (customers.view, billing.view, vouchers.view), checked by the domain's selectors as for its own book.
    """
    if not indirect_partner_id or not isinstance(indirect_partner_id, str):
        return None
    return resellers_for(actor).filter(domain_id=indirect_partner_id).first()


def book_owner(actor, indirect_partner_id: str | None = None):
    """The partner whose book (customers, money, vouchers) the actor reads: its own, or the cloud
    reseller it names; None when it is no partner or the name is not one of its resellers."""
    if not actor.is_partner:
        return None
    if indirect_partner_id:
        return reseller_for(actor, indirect_partner_id)
    return actor.partner
