"""Renewal prices (续费询价, renew-rate) of a customer's yearly/monthly resources, with trade.pricing's arithmetic
(its docstring has the rules): each main resource — with its subordinates (`parent_resource_id`) when asked —
renewed for a number of months (1–11) or years (1–3), with its customer's partner discount.

A resource's product is the catalogue product its `product_id` names, else the one of its codes (on sale or
not: a resource keeps renewing after its product left the shelf); a linear resource's size comes from the
latest order line that bought or renewed it, else from Huawei's spec description. What cannot be rated is a
failure of that resource, not an error of the request. A request reads the resources in one statement (their
subordinates in one more), their products in one or two, prices in one, sizes in one, and the partner
discounts in one per customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.choices import ChargeMode
from catalog.models import Product
from customers.choices import ChargingMode
from customers.models import Resource
from partnercenter.errors import MESSAGES, Codes, DomainError

from .errors import TradeCodes
from .models import OrderLine
from .pricing import (
    _PRODUCT_RELATED, RENEWAL_PERIOD_LIMITS, Item, LineRating, _by_specs, _Conversions, _key, _line, _official,
    _parameter, _partner_discounts, _prices,
)

__all__ = ["RenewalResult", "RenewalFailure", "RenewalRating", "rate_renewal"]

_SIZE_IN_DESC = re.compile(r"(\d+)(?:\.0+)?\s*(?:GB|G|Mbit/s|Mbps)\b", re.I)


@dataclass(frozen=True)
class RenewalResult:
    resource: Resource                 # the main resource
    lines: tuple[LineRating, ...]      # its own line first, then its subordinates' (include_relative)

    @property
    def official(self) -> Decimal:
        return sum((line.official for line in self.lines), Decimal(0))

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return self.official - self.discount


@dataclass(frozen=True)
class RenewalFailure:
    resource_id: str
    code: str
    message: str


@dataclass(frozen=True)
class RenewalRating:
    results: tuple[RenewalResult, ...]
    failures: tuple[RenewalFailure, ...]


def _renewal_products(resources) -> dict[int, Product]:
    """The catalogue product of each resource (by Resource pk): by its product_id, else by its codes —
    on sale or not (a resource keeps renewing after its product left the shelf). Two statements at most."""
    by_id = {p.product_id: p for p in Product.objects.filter(
        product_id__in={r.product_id for r in resources if r.product_id},
        charge_mode=ChargeMode.PERIOD).select_related(*_PRODUCT_RELATED).order_by()} if any(r.product_id for r in resources) else {}
    found = {r.pk: by_id[r.product_id] for r in resources if r.product_id in by_id}
    missing = [r for r in resources if r.pk not in found]
    if missing:
        keys = {(r.service_type_code, r.resource_type_code, r.resource_spec_code, r.region_code) for r in missing}
        by_key = {}
        for product in _by_specs({key[2] for key in keys}, ChargeMode.PERIOD):
            key = _key(product)
            if key in keys and (key not in by_key or product.is_active):
                by_key[key] = product
        for r in missing:
            product = by_key.get((r.service_type_code, r.resource_type_code, r.resource_spec_code, r.region_code))
            if product is not None:
                found[r.pk] = product
    return found


def _sizes(resources) -> dict[str, tuple[int, int | None]]:
    """The size of linear resources (by resource_id): from the latest order line that bought or renewed
    it, else from Huawei's spec description ("云硬盘_SAS|100.0GB", "全动态BGP|5Mbit/s")."""
    sizes = {}
    for resource_id, size, measure in OrderLine.objects.filter(
            resource_id__in=[r.resource_id for r in resources], resource_size__isnull=False,
    ).order_by("id").values_list("resource_id", "resource_size", "size_measure_id"):
        sizes[resource_id] = (size, measure)
    for r in resources:
        if r.resource_id not in sizes:
            match = _SIZE_IN_DESC.search(r.product_spec_desc or "")
            if match:
                sizes[r.resource_id] = (int(match.group(1)), None)
    return sizes


def rate_renewal(customer, *, resource_ids, period_type, period_num, include_relative=False,
                 resources=None) -> RenewalRating:
    """续费询价: each main resource (with its subordinates, `parent_resource_id`, when `include_relative`)
    renewed for `period_num` periods of `period_type` (month 1–11, year 1–3), with its customer's partner
    discount. `resources` is the pool of resources the caller may see (default: `customer`'s own).
    Resources that cannot be rated are failures, not errors: not found (CBC.0156), not a main resource
    (CBC.30050007), no such period type or number (CBC.30050008), no product (CBC.99006006)."""
    ids = list(dict.fromkeys(resource_ids))
    pool = resources if resources is not None else Resource.objects.filter(customer=customer)
    pool = pool.filter(charging_mode=ChargingMode.PERIOD).select_related("customer")
    found = {r.resource_id: r for r in pool.filter(resource_id__in=ids)}
    subordinates: dict[str, list[Resource]] = {}
    mains = [rid for rid in ids if rid in found and found[rid].is_main_resource]
    if include_relative and mains:
        for r in pool.filter(parent_resource_id__in=mains).exclude(resource_id__in=mains).order_by("id"):
            if r.customer_id == found[r.parent_resource_id].customer_id:
                subordinates.setdefault(r.parent_resource_id, []).append(r)
    every = [found[rid] for rid in mains] + [r for group in subordinates.values() for r in group]
    products = _renewal_products(every)
    linear = [r for r in every if r.pk in products and products[r.pk].is_linear]
    sizes = _sizes(linear) if linear else {}
    prices = _prices(products.values())
    conversions = _Conversions()
    failures, groups = [], []
    for rid in ids:
        main = found.get(rid)
        if main is None:
            failures.append(RenewalFailure(rid, Codes.NOT_FOUND, _("The resource does not exist.")))
            continue
        if not main.is_main_resource:
            failures.append(RenewalFailure(rid, TradeCodes.NOT_MAIN_RESOURCE, str(MESSAGES[TradeCodes.NOT_MAIN_RESOURCE])))
            continue
        try:
            items = []
            for r in [main, *subordinates.get(rid, [])]:
                product = products.get(r.pk)
                if product is None:
                    raise DomainError(TradeCodes.PRODUCT_NOT_FOUND, _("No catalogue product for resource %(id)s.")
                                      % {"id": r.resource_id})
                size, measure = sizes.get(r.resource_id, (None, None)) if product.is_linear else (None, None)
                if product.is_linear and size is None:
                    raise _parameter(_("The size of resource %(id)s is not known.") % {"id": r.resource_id})
                item = Item(id=r.resource_id, product=product, resource_size=size,
                            size_measure_id=(measure or product.size_measure_id) if size else None,
                            period_type=period_type, period_num=period_num)
                _official(item, prices, conversions, RENEWAL_PERIOD_LIMITS)
                items.append(item)
        except DomainError as exc:
            failures.append(RenewalFailure(rid, exc.code, str(exc.message)))
            continue
        groups.append((main, items))
    wanted: dict[int, tuple] = {}
    for main, items in groups:
        wanted.setdefault(main.customer_id, (main.customer, set()))[1].update(i.product.service_type_id for i in items)
    discounts = {pk: _partner_discounts(owner, service_types) for pk, (owner, service_types) in wanted.items()}
    results = tuple(
        RenewalResult(main, tuple(_line(item, prices, discounts[main.customer_id], conversions, main.customer,
                                        RENEWAL_PERIOD_LIMITS) for item in items))
        for main, items in groups)
    return RenewalRating(results, tuple(failures))
