"""Every read of invitation links (线下拓展), scoped to the actor: a partner's member (or key) holding
`expansion.view` or `expansion.manage` reads its partner's links; another partner's link is not found,
whatever the id. The customers registered through a link are those the actor may see in its book
(customers.selectors: an account manager sees its team's)."""

from customers.selectors import associations_for

from .models import InvitationLink, LinkRegistration

__all__ = ["VIEW", "MANAGE", "may_read", "links_for", "link_for", "registrations_of"]

VIEW, MANAGE = "expansion.view", "expansion.manage"


def may_read(actor) -> bool:
    return actor.is_partner and (actor.has_perm(VIEW) or actor.has_perm(MANAGE))


def links_for(actor):
    """The partner's links, newest first, with their creator (one statement per page)."""
    if not may_read(actor):
        return InvitationLink.objects.none()
    return InvitationLink.objects.filter(partner_id=actor.partner.pk).select_related("created_by")


def link_for(actor, pk) -> InvitationLink | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return links_for(actor).filter(pk=pk).first()


def registrations_of(actor, link):
    """The registrations through `link` whose customer the actor may see, newest first."""
    visible = associations_for(actor).values("customer_id")
    return (LinkRegistration.objects.filter(link_id=link.pk, customer_id__in=visible)
            .select_related("customer").order_by("-id"))
