"""Reads of the agreements pages, scoped to the acting member's partner (another partner's agreement, or
one the partner need not sign and never signed, is not found)."""

from django.db.models import OuterRef, Subquery

from .agreements import visible_agreements
from .models import AgreementSignature

__all__ = ["agreements_for", "agreement_for", "signature_of"]


def agreements_for(actor):
    """The agreements the actor's partner must sign or signed, each with its signature's who and when
    (`signed_at`, `signer_name`; None while unsigned): one statement."""
    partner = actor.partner
    signature = AgreementSignature.objects.filter(agreement_id=OuterRef("pk"), partner_id=partner.pk)
    return (visible_agreements(partner).select_related("program")
            .annotate(signed_at=Subquery(signature.values("signed_at")[:1]),
                      signer_name=Subquery(signature.values("signer_name")[:1]))
            .order_by("-effective_at", "-pk"))


def agreement_for(actor, pk):
    """The agreement, or None when the actor's partner may not open it."""
    return visible_agreements(actor.partner).select_related("program").filter(pk=pk).first()


def signature_of(actor, agreement):
    return AgreementSignature.objects.filter(agreement=agreement, partner_id=actor.partner.pk).first()
