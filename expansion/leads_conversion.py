"""Converting a lead (线索 → 客户 / 机会点).

- To a customer: the partner links the lead to one of its associated customers (the account ID of an active
  association the actor may see, customers.selectors.associations_for — a customer registered first through
  客户注册 or an invitation link). Another partner's customer, or one outside an account manager's team, is
  CUSTOMER_NOT_FOUND, as a made-up ID.
- To an opportunity: a PO registered through `expansion.opportunities.register_opportunity` (which checks
  its own rights, opportunities.manage, and warns about a PO without an account), carrying the lead's company,
  contact, enterprise and linked customer. For a partner in marketing plan 2.0 the PO gets the masked phone:
  the partner reads its POs' contacts in full, and it must never read a lead's number.
- Either conversion moves the lead to CONVERTED. A converted lead may still receive the other link (a lead
  linked to its new customer and then registered as that customer's opportunity), each link once
  (ALREADY_CONVERTED). An INVALID lead is reopened first (LEAD_CLOSED).
"""

from __future__ import annotations

from django.utils import timezone

from customers.selectors import associations_for
from partnercenter.errors import DomainError
from partnercenter.oplog import operation

from .choices import LeadStatus
from .errors_leads import LeadCodes
from .event_types_leads import LEAD_CONVERTED
from .leads import locked_lead, record_event, require_manager
from .masking import contacts_masked, mask_phone
from .models import Lead

__all__ = ["convert_to_customer", "convert_to_opportunity", "customer_choice"]


def customer_choice(actor, customer_id):
    """The associated customer the actor may link a lead to, by account ID, or None."""
    customer_id = str(customer_id or "").strip()
    if not customer_id or len(customer_id) > 64:
        return None
    association = (associations_for(actor).filter(customer__domain_id=customer_id)
                   .select_related("customer").first())
    return association.customer if association is not None else None


def _open_for(lead, kind):
    if lead.status == LeadStatus.INVALID:
        raise DomainError(LeadCodes.LEAD_CLOSED)
    if getattr(lead, f"{kind}_id") is not None:
        raise DomainError(LeadCodes.ALREADY_CONVERTED)


def _converted(actor, lead, **link):
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.CONVERTED, updated_at=now, **link)
    for name, value in link.items():
        setattr(lead, name, value)
    lead.status, lead.updated_at = LeadStatus.CONVERTED, now
    data = {}
    if "customer" in link:
        data["customer_id"] = link["customer"].domain_id
    if "opportunity" in link:
        data["opportunity_id"] = link["opportunity"].pk
    lead.partner = actor.partner  # the same row (the lead is in the actor's scope): no second read
    record_event(LEAD_CONVERTED, actor, lead, **data)


def convert_to_customer(actor, *, lead, customer_id) -> Lead:
    with operation(actor, "expansion.lead_convert_customer", target=lead) as entry:
        require_manager(actor)
        lead = locked_lead(actor, lead)
        _open_for(lead, "customer")
        customer = customer_choice(actor, customer_id)
        if customer is None:
            raise DomainError(LeadCodes.CUSTOMER_NOT_FOUND)
        entry.detail["customer_id"] = customer.domain_id
        _converted(actor, lead, customer=customer)
    return lead


def _register():
    try:
        from .opportunities import register_opportunity
    except ImportError:  # the opportunities area is not installed
        raise DomainError(LeadCodes.OPPORTUNITIES_UNAVAILABLE) from None
    return register_opportunity


def convert_to_opportunity(actor, *, lead, name, product: str = "", amount=None, expected_close=None,
                           notes: str = ""):
    """Register a PO from the lead (expansion.opportunities.register_opportunity) and mark the lead
    converted; returns the opportunity."""
    with operation(actor, "expansion.lead_convert_opportunity", target=lead) as entry:
        require_manager(actor)
        lead = locked_lead(actor, lead)
        _open_for(lead, "opportunity")
        register_opportunity = _register()
        opportunity = register_opportunity(
            actor, name=name, customer_name=lead.company_name, customer=lead.customer,
            enterprise=lead.enterprise, contact_name=lead.contact_name,
            contact_phone=mask_phone(lead.phone) if contacts_masked(actor.partner) else lead.phone,
            product=product, amount=amount, expected_close=expected_close, notes=notes, lead=lead)
        entry.detail["opportunity"] = opportunity.pk
        _converted(actor, lead, opportunity=opportunity)
    return opportunity
