"""Partner discounts (伙伴设置折扣, discount type 607): a partner sets, per resale customer and service type, the
share of the official price the customer pays — within the ceiling the operator sets in the catalogue
(`ServiceType.max_partner_discount`) and only for the service types it marks `allow_discount`. Rating and
orders apply it through trade.pricing (which caps it again, should the ceiling be lowered afterwards).

A rate is the share paid: 0.85 is 8.5折, 15 % off; at most 4 decimals, above 0 and at most 1.

Who: members (and keys) holding `discounts.manage`, for the customers they see (an account manager: their
team's) whose current association is resale (代售); a distributor may name one of its cloud resellers
(`indirect_partner_id`) to act on that reseller's customers. Another partner's customer or discount is
"not found". Setting and removing are sensitive (the verification code when the partner has it on) and
logged (`trade.discount_set`, `trade.discount_remove`; their labels are in trade/oplog_labels.py). The
customer's association row is locked (customers/locks.py, first in the documented order) and checked again
before the write, so a discount is never written for a customer who has just left or switched to referral.
"""

from decimal import Decimal, InvalidOperation

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ServiceType
from customers import locks as customer_locks
from customers.selectors import customer_for, customers_for
from customers.models import Association
from customers.services import is_resale
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation
from partnercenter.selectors import book_owner

from .errors import TradeCodes
from .models import PartnerDiscount

__all__ = ["PERMISSION", "parse_rate", "rate_label", "off_percent", "zhe", "discountable_service_types",
           "check_rate", "discounts_for", "discount_for", "set_discount", "remove_discount"]

PERMISSION = "discounts.manage"
RATE_UNIT = Decimal("0.0001")


def _require(actor):
    if not actor.is_partner or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)


def parse_rate(value) -> Decimal:
    """A discount rate: the share paid, above 0 and at most 1, with at most 4 decimals (CBC.0100 otherwise)."""
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or not 0 < rate <= 1 or rate != rate.quantize(RATE_UNIT):
        raise DomainError(Codes.PARAMETER, _("The discount rate must be above 0 and at most 1, with at most 4 "
                                             "decimals (0.85 is 15 percent off)."))
    return rate.quantize(RATE_UNIT)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def zhe(rate: Decimal) -> str:
    """The rate in 折: 0.85 → "8.5", 0.9 → "9"."""
    return _plain(Decimal(rate) * 10)


def off_percent(rate: Decimal) -> str:
    """The share taken off in percent: 0.85 → "15"."""
    return _plain((1 - Decimal(rate)) * 100)


def rate_label(rate: Decimal) -> str:
    """How a rate reads on a page: "8.5折 / 15% off"."""
    # Translators: zh-hans "%(zhe)s折（优惠%(off)s%%）"
    return _("%(zhe)s折 / %(off)s%% off") % {"zhe": zhe(rate), "off": off_percent(rate)}


def discountable_service_types() -> QuerySet:
    """The service types the operator lets partners discount, with their ceilings."""
    return ServiceType.objects.filter(allow_discount=True, max_partner_discount__gt=0).order_by("code")


def check_rate(service_type: ServiceType | None, rate: Decimal) -> None:
    """DISCOUNT_NOT_ALLOWED for a service type without partner discounts; DISCOUNT_OVER_LIMIT for a rate
    that takes off more than the ceiling."""
    if service_type is None or not service_type.allow_discount or service_type.max_partner_discount <= 0:
        raise DomainError(TradeCodes.DISCOUNT_NOT_ALLOWED)
    floor = 1 - service_type.max_partner_discount
    if rate < floor:
        raise DomainError(TradeCodes.DISCOUNT_OVER_LIMIT, _(
            "%(name)s allows at most %(off)s%% off: the rate must be at least %(floor)s.")
            % {"name": service_type.display_name, "off": off_percent(floor), "floor": _plain(floor)})


def discounts_for(actor, *, indirect_partner_id: str | None = None) -> QuerySet:
    """The partner discounts the actor manages: the book owner's, for the customers the actor sees and
    still associated with it, set during the current association (an older one no longer applies)."""
    owner = book_owner(actor, indirect_partner_id)
    if owner is None or not actor.has_perm(PERMISSION):
        return PartnerDiscount.objects.none()
    customers = customers_for(actor, indirect_partner_id=indirect_partner_id).values("pk")
    current = Association.objects.filter(customer_id=OuterRef("customer_id"), partner=owner, ended_on__isnull=True)
    return (
        PartnerDiscount.objects.filter(partner=owner, customer__in=customers)
        .annotate(association_type=Subquery(current.values("association_type")[:1]),
                  associated_on=Subquery(current.values("associated_on")[:1]))
        .filter(updated_at__gte=F("associated_on"))
        .select_related("customer", "service_type")
        .order_by("customer__domain_name", "service_type__code")
    )


def discount_for(actor, discount_id, *, indirect_partner_id: str | None = None) -> PartnerDiscount | None:
    try:
        pk = int(discount_id)
    except (TypeError, ValueError):
        return None
    return discounts_for(actor, indirect_partner_id=indirect_partner_id).filter(pk=pk).first()


def _locked_resale_association(customer, owner):
    """The customer's association with `owner`, locked, checked again now: resale and active."""
    seen = next((a for a in getattr(customer, "active_associations", ()) if a.partner_id == owner.pk), None)
    association = customer_locks.lock_current_association(seen) if seen is not None else None
    if association is None:
        raise DomainError(Codes.NOT_FOUND)
    if not is_resale(association):
        raise DomainError(TradeCodes.DISCOUNT_NOT_ALLOWED, _("Discounts can be set for resale customers only."))
    return association


def set_discount(actor, *, customer_id, service_type_code, rate, verification_code=None,
                 indirect_partner_id=None) -> PartnerDiscount:
    """Set (or change) a resale customer's discount for one service type."""
    _require(actor)
    owner = book_owner(actor, indirect_partner_id)
    customer = customer_for(actor, customer_id, indirect_partner_id=indirect_partner_id) if owner else None
    if customer is None:
        raise DomainError(Codes.NOT_FOUND)
    rate = parse_rate(rate)
    service_type = ServiceType.objects.filter(code=service_type_code).first() if service_type_code else None
    detail = {"customer_id": customer.domain_id, "service_type": service_type_code or "", "rate": str(rate)}
    with operation(actor, "trade.discount_set", target=customer, verification_code=verification_code,
                   detail=detail) as entry:
        check_rate(service_type, rate)
        _locked_resale_association(customer, owner)
        previous = PartnerDiscount.objects.select_for_update().filter(
            partner=owner, customer=customer, service_type=service_type).first()
        entry.detail["previous_rate"] = str(previous.rate) if previous else ""
        discount, _created = PartnerDiscount.objects.update_or_create(
            partner=owner, customer=customer, service_type=service_type,
            defaults={"rate": rate, "updated_by": actor.label, "updated_at": timezone.now()})
    return discount


def remove_discount(actor, *, discount_id, verification_code=None, indirect_partner_id=None) -> PartnerDiscount:
    """Remove a discount: the customer pays the official price for that service type again."""
    _require(actor)
    discount = discount_for(actor, discount_id, indirect_partner_id=indirect_partner_id)
    if discount is None:
        raise DomainError(Codes.NOT_FOUND)
    detail = {"customer_id": discount.customer.domain_id, "service_type": discount.service_type.code,
              "rate": str(discount.rate)}
    with operation(actor, "trade.discount_remove", target=discount.customer, verification_code=verification_code,
                   detail=detail):
        PartnerDiscount.objects.filter(pk=discount.pk).delete()
    return discount
