"""Every read of leads (线索管理), scoped to the actor.

A partner's member (or key) holding `expansion.view` or `expansion.manage` reads its partner's leads; one
without `customers.view_all` (an account manager, whose customers are only those of its team) reads the
leads owned by its team and the unassigned ones, as its customer list is its team's. Another partner's lead
is not found, whatever the id.
"""

from django.db.models import OuterRef, Q, Subquery

from partnercenter.choices import PartnerStatus
from partnercenter.models import Member, Partner
from partnercenter.selectors import account_managers_for

from .models import Call, FollowUp, Lead

__all__ = ["VIEW", "MANAGE", "may_read", "leads_for", "lead_for", "partners_lead", "follow_ups_of", "calls_of",
           "owners_for", "owner_for", "dispatch_target"]

VIEW, MANAGE = "expansion.view", "expansion.manage"


def may_read(actor) -> bool:
    return actor.is_partner and (actor.has_perm(VIEW) or actor.has_perm(MANAGE))


def _scoped(actor):
    if not may_read(actor):
        return Lead.objects.none()
    queryset = Lead.objects.filter(partner_id=actor.partner.pk)
    if not actor.sees_all_customers:
        queryset = queryset.filter(Q(owner_id__in=actor.team_member_ids) | Q(owner__isnull=True))
    return queryset


def leads_for(actor):
    """The actor's leads, newest first, with the owner and the next follow-up planned by the latest
    follow-up (`next_follow_up`), ready for lists (one statement per page)."""
    latest = FollowUp.objects.filter(lead_id=OuterRef("pk")).order_by("-id")
    return (_scoped(actor).select_related("owner__user", "customer")
            .annotate(next_follow_up=Subquery(latest.values("next_at")[:1]))
            .order_by("-id"))


def lead_for(actor, pk, *, for_update=False):
    """One of the actor's leads, or None (a made-up id, another partner's, or not numeric)."""
    try:
        pk = int(str(pk))
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    queryset = _scoped(actor)
    if for_update:
        return queryset.select_for_update().filter(pk=pk).first()
    return queryset.select_related("owner__user", "customer", "opportunity", "enterprise").filter(pk=pk).first()


def partners_lead(actor, pk, *, for_update=False):
    """One of the actor's partner's leads whoever owns it now, or None: to record what was done on a lead the
    actor could read a moment ago (a call placed while the lead was reassigned outside its team)."""
    if not actor.is_partner:
        return None
    queryset = Lead.objects.filter(partner_id=actor.partner.pk, pk=pk)
    return (queryset.select_for_update() if for_update else queryset).first()


def follow_ups_of(lead):
    return FollowUp.objects.filter(lead=lead).order_by("-id")


def calls_of(lead):
    return Call.objects.filter(lead=lead).select_related("member").order_by("-id")


def owners_for(actor):
    """Members a lead may be assigned to: the partner's active members (an account manager: its team)."""
    return account_managers_for(actor)


def owner_for(actor, *, pk=None, username=None):
    """The member chosen as owner (by id from a page, by user name from the API), or None."""
    queryset = owners_for(actor)
    if pk not in (None, ""):
        try:
            return queryset.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            return None
    if username:
        return queryset.filter(user__username=username).first()
    return None


def dispatch_target(actor, partner_id):
    """The partner a lead is created for through `POST /v1/leads`: a platform key names any partner by its
    account ID; a partner key only its own (any other id is not found). None when not found."""
    if not partner_id or not isinstance(partner_id, str):
        return actor.partner if actor.is_partner else None
    if actor.is_platform:
        return Partner.objects.filter(domain_id=partner_id).first()
    if actor.is_partner and actor.partner.domain_id == partner_id:
        return actor.partner
    return None


def active_members(partner):
    return Member.objects.filter(partner=partner, user__is_active=True)


def is_active(partner) -> bool:
    return partner.status == PartnerStatus.ACTIVE
