"""Prices (询价): the single source of what a product costs, for pages, the CBC rating endpoints and orders.

**Official price** (官网价), from the catalogue's `Price` rows:
- pay-per-use: the price per unit of the product's usage measure × the usage, converted into that
  measure by the catalogue's `Conversion` rows (1 hour = 60 minutes: 90 minutes are 1.5 hours) ×
  `subscription_num` × `resource_size` for a linear product;
- yearly/monthly: the price of the period type × `period_num` × `subscription_num` × `resource_size`
  for a linear product (linear in every factor: no tiered or yearly-rebate prices).
The product of these is exact; a line's official price is it truncated (not rounded) at 10 decimals
— only a unit conversion can divide, e.g. 1 minute of a 0.6/hour product.

**Partner discount** (伙伴设置折扣, discount type 607): when the customer's *current* association is a
resale (代售) one and that partner set a `PartnerDiscount` for the product's service type during it
(a discount set before the customer left and came back is stale), and the catalogue's service type
`allow_discount`s, the customer pays `official × rate` — never less than `official ×
(1 − max_partner_discount)`: the catalogue's ceiling caps a rate set before the operator lowered it.
The discount row is `official − official × rate`, exact (up to 14 decimals).

**Precision.** `rate()` is exact. The rating endpoints truncate (截取, never round) each line's official
price and amount at 6 decimals (`inquiry_precision` 0, the default) or 10 (1); the line's discount
is the difference of the two, and the request's totals are the sums of its lines.

**Money** (the one rounding rule, `LineRating.in_fen()`): what is paid is quantized once, per order
line, when the order is placed: the line's official price and its amount after discount are each
quantized to the fen ROUND_HALF_UP; the line's discount is their difference; its discount rows are
rescaled in proportion so that they sum to it exactly (fractions of a fen rounded down, the rest to
the largest row; rows that come to 0.00 are dropped). An order's amounts are the sums of its lines.

Errors (`DomainError`): CBC.0100 a malformed item — also a linear product asked for without its size
(or in another size unit, or outside the product's smallest/largest size); CBC.99006006 no such product
on sale; CBC.99006050 a usage unit that is neither the product's nor convertible to it; CBC.30050008
a period type the product has no price for, or a number of periods outside month 1–11, year 1–3,
day 1–31, hour 1–24, one-off 1.

Queries: `items_from_wire` reads every product of a request with its prices in one statement (and the
conversions in one more when a unit needs converting); `rate` reads the customer's partner discounts in
one (and the prices of products it was given without them in one). A 100-item request costs what a
1-item one does; items asking for the same thing are computed once.

Renewals (`rate_renewal`, renew-rate) are rated by trade/pricing_renewal.py with the same arithmetic.

**Extra days** (`Item.extra_days`, a renewal moved on to the customer's unified expiry day — 续费后资源统一到期日,
subscriptions/renewal.py): the line also pays `extra_days` days at a thirtieth of its one-month price (what
`rate_renewal` rates for MONTH, 1: the month's price × quantity × size; a product without a monthly price:
its yearly price / 12), with the same partner discount: official += month × d / 30 and amount +=
month × rate × d / 30, each share rounded half up at 14 decimals (a share that ends within them, as
every one that could sit on a half fen does, is exact). The line is then quantized once like any other.
E.g. a 73.70 server renewed for a month plus 3 days with a 90% partner rate: official 73.70 + 7.37 =
81.07, amount 66.33 + 6.633 = 72.963 → 72.96, discount 8.11.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.db.models import CharField, F, JSONField, OuterRef, Subquery
from django.db.models.functions import Cast, JSONObject
from django.utils.translation import gettext as _

from catalog.choices import ChargeMode, PeriodType
from catalog.models import Conversion, Price, Product
from customers.choices import AssociationType
from partnercenter.aggregates import JSONList
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.money import quantize

from .choices import DiscountType
from .errors import TradeCodes
from .models import PartnerDiscount

__all__ = [
    "Item", "DiscountRow", "LineRating", "PERIOD_LIMITS",
    "RENEWAL_PERIOD_LIMITS", "PRECISION_PLACES", "MAX_ITEMS", "find_product", "find_products", "item_from_wire",
    "items_from_wire", "rate", "rate_renewal", "quantize_fen", "truncate", "partner_discount_id", "effective_rate",
]

EXACT_PLACES = 10
PRECISION_PLACES = {0: 6, 1: 10}  # inquiry_precision → decimals of a rating result
MAX_ITEMS = 100  # product_infos of one rating request
MAX_QUANTITY = 10_000  # subscription_num, period_num, resource_size: an integer the arithmetic keeps exact
MAX_RENEWAL_RESOURCES = 10  # renew-rate: "最多10个资源ID"
PERIOD_LIMITS = {PeriodType.MONTH: 11, PeriodType.YEAR: 3, PeriodType.DAY: 31, PeriodType.HOUR: 24,
                 PeriodType.ONE_OFF: 1}
RENEWAL_PERIOD_LIMITS = {PeriodType.MONTH: 11, PeriodType.YEAR: 3}
_WIDE = Context(prec=80)  # the arithmetic's context, passed explicitly: every product stays exact
_UNITS = {places: Decimal(1).scaleb(-places) for places in range(11)}
_FEN = Decimal("0.01")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def quantize_fen(value: Decimal) -> Decimal:
    """The one rounding rule of money: ROUND_HALF_UP to 0.01 (partnercenter.money.quantize)."""
    return quantize(value)


def truncate(value: Decimal, places: int) -> Decimal:
    """`value` cut (not rounded) at `places` decimals: the rating endpoints' 截取."""
    return value.quantize(_UNITS[places], rounding=ROUND_DOWN, context=_WIDE)


# ---------------------------------------------------------------------------------------------
# What is rated, and its rating
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    id: str                       # the caller's id of this item (the wire's `id`)
    product: Product
    subscription_num: int = 1
    resource_size: int | None = None
    size_measure_id: int | None = None
    period_type: int | None = None      # period products
    period_num: int | None = None
    usage_value: Decimal | None = None  # on-demand products
    usage_measure_id: int | None = None
    extra_days: int = 0                 # a renewal's days beyond its periods (see "Extra days")


@dataclass(frozen=True)
class DiscountRow:
    discount_type: int          # trade.choices.DiscountType (607 partner discount …)
    discount_id: str
    name: str
    amount: Decimal             # exact (not quantized) in rate(); fen in LineRating.in_fen()


def _rescale(rows, target: Decimal, unit: Decimal) -> tuple[DiscountRow, ...]:
    """`rows` rescaled in proportion so that they sum to `target` exactly, each a multiple of `unit`:
    shares rounded down, the remainder to the largest row; rows that come to zero dropped."""
    total = sum((row.amount for row in rows), Decimal(0))
    if target <= 0 or total <= 0:
        return ()
    ctx = _WIDE
    shares = [ctx.divide(ctx.multiply(row.amount, target), total).quantize(unit, rounding=ROUND_DOWN, context=ctx)
              for row in rows]
    largest = max(range(len(rows)), key=lambda i: rows[i].amount)
    shares[largest] += target - sum(shares)
    return tuple(replace(row, amount=share) for row, share in zip(rows, shares) if share > 0)


@dataclass(frozen=True)
class LineRating:
    item: Item
    official: Decimal           # exact, up to 10 decimals
    discounts: tuple[DiscountRow, ...]

    @property
    def discount(self) -> Decimal:
        return sum((row.amount for row in self.discounts), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return self.official - self.discount

    def _quantized(self, unit: Decimal, rounding) -> LineRating:
        official = self.official.quantize(unit, rounding=rounding, context=_WIDE)
        if not self.discounts:
            return LineRating(self.item, official, ())
        amount = self.amount.quantize(unit, rounding=rounding, context=_WIDE)
        return LineRating(self.item, official, _rescale(self.discounts, official - amount, unit))

    def in_fen(self) -> LineRating:
        """Official price and amount quantized half-up to 0.01; the discount rows rescaled so they sum to
        official_fen − amount_fen (see the module's docstring)."""
        return self._quantized(_FEN, ROUND_HALF_UP)

    def truncated(self, places: int) -> LineRating:
        """The same rule with truncation at `places` decimals: what a rating endpoint shows."""
        return self._quantized(_UNITS[places], ROUND_DOWN)


# ---------------------------------------------------------------------------------------------
# Finding products, reading the wire
# ---------------------------------------------------------------------------------------------

_PRODUCT_RELATED = ("service_type", "resource_type", "region", "usage_type")


def _key(product) -> tuple[str, str, str, str]:
    return product.service_type.code, product.resource_type.code, product.resource_spec, product.region.code


def _by_specs(specs, charge_mode):
    """Products of these spec codes in one charging mode, with what a rating reads of them: the statement
    filters on the spec alone (its codes are matched in Python) and orders nothing, so it stays cheap to
    build — a 100-item request is dominated by statements, not by its items."""
    related = _PRODUCT_RELATED if charge_mode == ChargeMode.ON_DEMAND else _PRODUCT_RELATED[:3]
    return Product.objects.filter(charge_mode=charge_mode, resource_spec__in=specs).select_related(*related).order_by()


def find_products(keys, *, charge_mode: int) -> dict[tuple[str, str, str, str], Product]:
    """Products on sale by (service type, resource type, spec, region) code, for many keys in one statement,
    each carrying its prices (a JSON list aggregated in the same statement) for `rate()`; a product without
    any price cannot be sold, so it is not found."""
    keys = set(keys)
    if not keys:
        return {}
    related = _PRODUCT_RELATED if charge_mode == ChargeMode.ON_DEMAND else _PRODUCT_RELATED[:3]
    prices = (Price.objects.filter(product=OuterRef("pk")).order_by().values("product")
              .annotate(rows=JSONList(JSONObject(period_type="period_type", amount=Cast("amount", CharField()))))
              .values("rows"))
    found = {}
    for product in (Product.objects.filter(charge_mode=charge_mode, is_active=True,
                                           resource_spec__in={key[2] for key in keys},
                                           region__code__in={key[3] for key in keys})
                    .select_related(*related).annotate(price_rows=Subquery(prices, output_field=JSONField()))
                    .order_by()):
        key = _key(product)
        if key in keys and product.price_rows:
            product._rating_prices = {row["period_type"]: Decimal(row["amount"]) for row in product.price_rows}
            found.setdefault(key, product)
    return found


def find_product(*, service_type: str, resource_type: str, resource_spec: str, region: str,
                 charge_mode: int) -> Product:
    product = find_products([(service_type, resource_type, resource_spec, region)], charge_mode=charge_mode).get(
        (service_type, resource_type, resource_spec, region))
    if product is None:
        raise DomainError(TradeCodes.PRODUCT_NOT_FOUND)
    return product


def _parameter(message) -> DomainError:
    return DomainError(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {message}")


def _text(wire, name, *, required=True, max_length=128) -> str | None:
    value = wire.get(name)
    if value is None or value == "":
        if required:
            raise _parameter(_("%(field)s is required.") % {"field": name})
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise _parameter(_("%(field)s must be a string of at most %(n)d characters.") % {"field": name, "n": max_length})
    return value


def _integer(wire, name, *, required=True, minimum=1, maximum=MAX_QUANTITY) -> int | None:
    """An integer (a JSON integer or a string of digits) within [minimum, maximum]."""
    value = wire.get(name)
    if value is None or value == "":
        if required:
            raise _parameter(_("%(field)s is required.") % {"field": name})
        return None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _parameter(_("%(field)s must be an integer from %(min)d to %(max)d.")
                         % {"field": name, "min": minimum, "max": maximum})
    return value


def _usage(wire, name="usage_value") -> Decimal:
    """A positive usage in plain decimal notation with at most 10 decimals (the JSON number's own text)."""
    value = wire.get(name)
    if value is None or value == "":
        raise _parameter(_("%(field)s is required.") % {"field": name})
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, bool):
        text = ""
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = getattr(value, "text", None) or repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = ""
    if not _PLAIN.fullmatch(text) or len(text) > 30:
        raise _parameter(_("%(field)s must be a number in plain decimal notation.") % {"field": name})
    try:
        usage = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise _parameter(_("%(field)s must be a number.") % {"field": name}) from None
    if usage <= 0 or usage.as_tuple().exponent < -EXACT_PLACES or usage >= Decimal("1E12"):
        raise _parameter(_("%(field)s must be greater than zero, below 10^12, with at most 10 decimals.")
                         % {"field": name})
    return usage


def _shape(wire, charge_mode) -> dict:
    """The validated fields of one product_infos entry (CBC.0100 for anything malformed)."""
    if not isinstance(wire, dict):
        raise _parameter(_("Each product_infos entry must be an object."))
    data = {
        "id": _text(wire, "id", max_length=64),
        "key": tuple(_text(wire, name, max_length=64) for name in
                     ("cloud_service_type", "resource_type", "resource_spec", "region")),
        "subscription_num": _integer(wire, "subscription_num"),
        "resource_size": _integer(wire, "resource_size", required=False, maximum=10**6),
        "size_measure_id": _integer(wire, "size_measure_id", required=False, minimum=0, maximum=10**6),
    }
    _text(wire, "available_zone", required=False, max_length=64)  # not a filter here: one price per region
    if charge_mode == ChargeMode.ON_DEMAND:
        data["usage_factor"] = _text(wire, "usage_factor", required=False, max_length=64)
        data["usage_value"] = _usage(wire)
        data["usage_measure_id"] = _integer(wire, "usage_measure_id", minimum=0, maximum=10**6)
    else:
        data["period_type"] = _integer(wire, "period_type", minimum=0, maximum=99)
        data["period_num"] = _integer(wire, "period_num", minimum=0, maximum=MAX_QUANTITY)
    return data


def _check_size(product, resource_size, size_measure_id, *, label) -> None:
    """A linear product is asked for with its size, in its size unit, within its smallest/largest size."""
    if not product.is_linear:
        return
    if resource_size is None or size_measure_id is None:
        raise _parameter(_("%(id)s: a linear product needs resource_size and size_measure_id.") % {"id": label})
    if size_measure_id != product.size_measure_id:
        raise _parameter(_("%(id)s: size_measure_id must be %(measure)d for this product.")
                         % {"id": label, "measure": product.size_measure_id})
    if (product.min_size is not None and resource_size < product.min_size) or (
            product.max_size is not None and resource_size > product.max_size):
        raise _parameter(_("%(id)s: resource_size must be from %(min)s to %(max)s.")
                         % {"id": label, "min": product.min_size or 1, "max": product.max_size or "—"})


class _Conversions:
    """The catalogue's unit conversions, read once per request and only when a unit needs one."""

    def __init__(self):
        self._ratios = None

    def factor(self, asked: int, wanted: int) -> tuple[int, int] | None:
        """(numerator, denominator) turning a quantity in `asked` into `wanted`, or None."""
        if asked == wanted:
            return 1, 1
        if self._ratios is None:
            self._ratios = {(c.measure_id, c.ref_measure_id): c.ratio for c in Conversion.objects.all()}
        if (asked, wanted) in self._ratios:   # 1 asked = ratio × wanted
            return self._ratios[(asked, wanted)], 1
        if (wanted, asked) in self._ratios:   # 1 wanted = ratio × asked
            return 1, self._ratios[(wanted, asked)]
        return None


def items_from_wire(wires, *, charge_mode: int) -> list[Item]:
    """The items of a rating request's `product_infos`, validated, their products read in one statement.
    The first failing entry fails the request (CBC.0100, CBC.99006006, CBC.99006050)."""
    if not isinstance(wires, list) or not wires:
        raise _parameter(_("product_infos must be a non-empty list."))
    if len(wires) > MAX_ITEMS:
        raise _parameter(_("product_infos may list at most %(n)d products.") % {"n": MAX_ITEMS})
    shapes = [_shape(wire, charge_mode) for wire in wires]
    ids = [shape["id"] for shape in shapes]
    if len(set(ids)) != len(ids):
        raise _parameter(_("The id of each product_infos entry must be unique in the request."))
    products = find_products((shape["key"] for shape in shapes), charge_mode=charge_mode)
    conversions = _Conversions()
    items = []
    for shape in shapes:
        product = products.get(shape["key"])
        usage_factor = shape.get("usage_factor")
        if product is None or (usage_factor and product.usage_type is not None
                               and usage_factor.lower() != product.usage_type.code.lower()):
            raise DomainError(TradeCodes.PRODUCT_NOT_FOUND, _("Product not found: %(id)s.") % {"id": shape["id"]})
        _check_size(product, shape["resource_size"], shape["size_measure_id"], label=shape["id"])
        linear = product.is_linear
        fields = {"id": shape["id"], "product": product, "subscription_num": shape["subscription_num"],
                  "resource_size": shape["resource_size"] if linear else None,
                  "size_measure_id": shape["size_measure_id"] if linear else None}
        if charge_mode == ChargeMode.ON_DEMAND:
            if conversions.factor(shape["usage_measure_id"], product.usage_measure_id) is None:
                raise DomainError(TradeCodes.WRONG_USAGE_UNIT, _(
                    "Wrong usage unit for %(id)s: measure %(asked)d cannot be converted into the product's "
                    "measure %(wanted)d.") % {"id": shape["id"], "asked": shape["usage_measure_id"],
                                             "wanted": product.usage_measure_id})
            fields.update(usage_value=shape["usage_value"], usage_measure_id=shape["usage_measure_id"])
        else:
            fields.update(period_type=shape["period_type"], period_num=shape["period_num"])
        items.append(Item(**fields))
    return items


def item_from_wire(wire: dict, *, charge_mode: int) -> Item:
    """One product_infos entry as an Item (see items_from_wire)."""
    return items_from_wire([wire], charge_mode=charge_mode)[0]


# ---------------------------------------------------------------------------------------------
# Rating
# ---------------------------------------------------------------------------------------------

def partner_discount_id(customer) -> str:
    """The discount_id of a customer's partner discount (607): one option per customer, whatever the
    service types it covers (a rating's optional discount, an order's discount rows)."""
    return f"607-{customer.domain_id}"


def _prices(products) -> dict[tuple[int, int | None], Decimal]:
    """Every price of these products, by (product pk, period type): those find_products read with them, the
    others in one statement."""
    known, ids = {}, set()
    for product in products:
        carried = getattr(product, "_rating_prices", None)
        if carried is None:
            ids.add(product.pk)
        else:
            known.update(((product.pk, period_type), amount) for period_type, amount in carried.items())
    if ids:
        known.update(((product, period_type), amount) for product, period_type, amount in
                     Price.objects.filter(product_id__in=ids).order_by().values_list("product_id", "period_type",
                                                                                     "amount"))
    return known


def _partner_discounts(customer, service_type_ids) -> dict[int, PartnerDiscount]:
    """The customer's partner discounts that apply now, by service type: set by the partner of its current
    resale association, during that association, for a service type that allows them. One statement."""
    if customer is None or not service_type_ids:
        return {}
    # One filter() call: the association conditions hold for one and the same (the current) association.
    settings = PartnerDiscount.objects.filter(
        customer_id=customer.pk, service_type__allow_discount=True,
        partner__associations__customer_id=customer.pk, partner__associations__ended_on__isnull=True,
        partner__associations__association_type=AssociationType.RESALE,
        partner__associations__associated_on__lte=F("updated_at"),
    ).select_related("service_type").order_by()
    return {setting.service_type_id: setting for setting in settings if setting.service_type_id in service_type_ids}


def effective_rate(setting: PartnerDiscount) -> Decimal:
    """The share of the official price the customer pays: the partner's rate, capped by the catalogue's
    ceiling (never more than max_partner_discount off); 1 when the service type allows no discount."""
    service_type = setting.service_type
    if not service_type.allow_discount:
        return Decimal(1)
    return min(Decimal(1), max(setting.rate, Decimal(1) - service_type.max_partner_discount))


def _no_such_period(item) -> DomainError:
    return DomainError(TradeCodes.NO_SUCH_PERIOD, _(
        "%(id)s: the product has no price for period type %(type)s with %(num)s periods.")
        % {"id": item.id, "type": item.period_type, "num": item.period_num})


def _official(item: Item, prices, conversions: _Conversions, limits=PERIOD_LIMITS) -> Decimal:
    """The line's official price: exact, truncated at 10 decimals (only a unit conversion divides)."""
    product = item.product
    size = 1
    if product.is_linear:
        if not item.resource_size:
            raise _parameter(_("%(id)s: a linear product needs resource_size and size_measure_id.") % {"id": item.id})
        size = item.resource_size
    ctx = _WIDE
    if product.charge_mode == ChargeMode.ON_DEMAND:
        unit_price = prices.get((product.pk, None))
        if unit_price is None:
            raise DomainError(TradeCodes.PRODUCT_NOT_FOUND, _("Product not found: %(id)s.") % {"id": item.id})
        if item.usage_value is None:
            raise _parameter(_("%(field)s is required.") % {"field": "usage_value"})
        factor = conversions.factor(item.usage_measure_id or product.usage_measure_id, product.usage_measure_id)
        if factor is None:
            raise DomainError(TradeCodes.WRONG_USAGE_UNIT)
        numerator, denominator = factor
        value = ctx.divide(ctx.multiply(ctx.multiply(unit_price, item.usage_value),
                                        item.subscription_num * size * numerator), denominator)
    else:
        limit = limits.get(item.period_type)
        price = prices.get((product.pk, item.period_type))
        if limit is None or price is None or item.period_num is None or not 1 <= item.period_num <= limit:
            raise _no_such_period(item)
        value = ctx.multiply(price, item.period_num * item.subscription_num * size)
    return truncate(value, EXACT_PLACES)


_EXTRA_PLACES = Decimal("1E-14")


def _month_official(item: Item, prices, conversions: _Conversions) -> Decimal:
    """One month of the item (its quantity and size): the renewal rating of MONTH, 1; a product sold only by
    the year: a twelfth of its yearly price."""
    month = replace(item, period_type=PeriodType.MONTH, period_num=1, extra_days=0)
    if (item.product.pk, PeriodType.MONTH) in prices:
        return _official(month, prices, conversions, RENEWAL_PERIOD_LIMITS)
    year = _official(replace(month, period_type=PeriodType.YEAR), prices, conversions, RENEWAL_PERIOD_LIMITS)
    return _WIDE.divide(year, 12)


def _days_of(month: Decimal, days: int) -> Decimal:
    """`days` thirtieths of `month`, rounded half up at 14 decimals (see "Extra days")."""
    return _WIDE.divide(_WIDE.multiply(month, days), 30).quantize(_EXTRA_PLACES, rounding=ROUND_HALF_UP,
                                                                    context=_WIDE)


def _line(item, prices, discounts, conversions, customer, limits=PERIOD_LIMITS) -> LineRating:
    official = _official(item, prices, conversions, limits)
    setting = discounts.get(item.product.service_type_id)
    share = effective_rate(setting) if setting is not None else Decimal(1)
    amount = _WIDE.multiply(official, share)
    if item.extra_days:
        month = _month_official(item, prices, conversions)
        official = _WIDE.add(official, _days_of(month, item.extra_days))
        amount = _WIDE.add(amount, _days_of(_WIDE.multiply(month, share), item.extra_days))
    rows = ()
    if setting is not None and official - amount > 0:
        rows = (DiscountRow(DiscountType.PARTNER, partner_discount_id(customer), str(DiscountType.PARTNER.label),
                            _WIDE.subtract(official, amount)),)
    return LineRating(item, official, rows)


def rate(items: list[Item], *, customer=None) -> list[LineRating]:
    """Each item's official price and its discount rows (the customer's partner discount, 607), exact.
    Without a customer: the official price. CBC.30050008 for a period type or number the product has no
    price for; CBC.0100 for a linear item without its size."""
    items = list(items)
    if not items:
        return []
    prices = _prices({item.product.pk: item.product for item in items}.values())
    discounts = _partner_discounts(customer, {item.product.service_type_id for item in items})
    conversions = _Conversions()
    lines, done = [], {}  # items asking for the same thing are rated once
    for item in items:
        key = (item.product.pk, item.subscription_num, item.resource_size, item.period_type, item.period_num,
               item.usage_value, item.usage_measure_id, item.extra_days)
        line = done.get(key)
        if line is None:
            line = done[key] = _line(item, prices, discounts, conversions, customer)
        lines.append(line if line.item is item else LineRating(item, line.official, line.discounts))
    return lines


# ---------------------------------------------------------------------------------------------
# Renewals (renew-rate): trade/pricing_renewal.py, with the same arithmetic
# ---------------------------------------------------------------------------------------------

def rate_renewal(customer, *, resource_ids, period_type, period_num, include_relative=False, resources=None):
    """续费询价 (see trade.pricing_renewal.rate_renewal): a `RenewalRating` of results and per-resource failures."""
    from .pricing_renewal import rate_renewal as rate_resources

    return rate_resources(customer, resource_ids=resource_ids, period_type=period_type, period_num=period_num,
                          include_relative=include_relative, resources=resources)
