"""The price list: a CSV or Excel (.xlsx) table with one row per price, imported into the catalogue's
products and prices and exported in the same format (an export imports back unchanged).

Columns (the header row names them; order is free, names are case-insensitive):

    service_type_code   resource_type_code   resource_spec   spec_name   spec_name_en   region_code
    charge_mode         1 包年/包月, 3 按需
    period_type         blank for an on-demand price; 2 month, 3 year (0 day, 4 hour, 5 one-off) for a period price
    price               the official price: per usage unit (on-demand) or per period; per unit of size when linear
    is_linear  size_measure_id  min_size  max_size           a product priced by size (disks, bandwidth)
    usage_type_code  usage_measure_id                       on-demand: what is metered, the unit the price is per
    is_package  package_quota  package_reset (1 resettable, 2 not)   resource packages (资源包)
    is_marketplace  is_stored_card  is_active               flags: 1/0, true/false, yes/no, 是/否 (blank: 0; is_active blank: 1)
    product_id          blank: a new product gets a new id; given: must be the product's own

A product is one resource spec of one resource type in one region under one charging mode; its rows repeat
its attributes (they must agree) and carry one price each. A row without period type and price
describes the product alone. Service types, resource types, usage types, regions and measurement units
must already be in the catalogue (the import creates and changes products and prices only, and deletes
nothing).

The files themselves are read and written by catalog.price_files (CSV and .xlsx).

`plan_import()` reads and checks everything and says what would change (the dry run: it writes nothing);
`apply_import()` plans again inside one transaction and writes it all, or nothing when any row is wrong.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import ChargeMode, PackageReset, PeriodType
from .models import PRICE, MeasureUnit, Price, Product, Region, ResourceType, ServiceType, UsageType
from .price_files import COLUMNS, MAX_ROWS, PriceListError, read_table, write_csv, write_xlsx

__all__ = [
    "COLUMNS", "PriceListError", "RowError", "ImportPlan", "read_table", "plan_import", "apply_import",
    "export_rows", "write_csv", "write_xlsx", "MAX_ROWS", "plain_price",
]

PRICE_PLACES = PRICE["decimal_places"]
PRICE_INTEGER_DIGITS = PRICE["max_digits"] - PRICE["decimal_places"]
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}
# the product's own attributes, in the order the model declares them
FIELD_COLUMNS = {"service_type": "service_type_code", "resource_type": "resource_type_code", "region": "region_code",
                 "size_measure": "size_measure_id", "usage_type": "usage_type_code", "usage_measure": "usage_measure_id"}
PRODUCT_FIELDS = [
    "service_type", "resource_type", "region", "resource_spec", "spec_name", "spec_name_en", "charge_mode",
    "is_linear", "size_measure", "min_size", "max_size", "usage_type", "usage_measure", "is_package",
    "package_quota", "package_reset", "is_marketplace", "is_stored_card", "is_active",
]


@dataclass(frozen=True)
class RowError:
    line: int          # the spreadsheet's line number (the header is line 1)
    column: str
    message: str

    def __str__(self):
        return f"{self.line} {self.column}: {self.message}" if self.column else f"{self.line}: {self.message}"


@dataclass
class _ProductPlan:
    key: tuple
    values: dict
    line: int                                    # the first line naming the product
    product_id: str = ""
    existing: Product | None = None
    prices: dict = field(default_factory=dict)   # period type (None: usage price) → (amount, line)
    old_prices: dict = field(default_factory=dict)  # period type → the existing product's Price
    lines: list = field(default_factory=list)
    new: Product | None = None

    @property
    def changed_fields(self) -> list[str]:
        if self.existing is None:
            return list(self.values)
        return [name for name, value in self.values.items() if _stored(self.existing, name) != value]


@dataclass
class ImportPlan:
    """What an import would do: per-row errors, or the products and prices it creates and changes."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    products: list[_ProductPlan] = field(default_factory=list)
    lines: dict = field(default_factory=dict)  # line → "create" / "update" / "unchanged"

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        counts = dict.fromkeys(["products_created", "products_updated", "products_unchanged", "prices_created",
                                "prices_updated", "prices_unchanged"], 0)
        for plan in self.products:
            if plan.existing is None:
                counts["products_created"] += 1
            elif plan.changed_fields:
                counts["products_updated"] += 1
            else:
                counts["products_unchanged"] += 1
            for period_type, (amount, _line) in plan.prices.items():
                old = _old_price(plan, period_type)
                kind = "created" if old is None else ("unchanged" if old == amount else "updated")
                counts[f"prices_{kind}"] += 1
        return counts

    @property
    def changes(self) -> int:
        counts = self.counts()
        return sum(counts[name] for name in counts if not name.endswith("unchanged"))


def _stored(product, name):
    if name in ("service_type", "resource_type", "region", "size_measure", "usage_type", "usage_measure"):
        return getattr(product, f"{name}_id")
    return getattr(product, name)


def _old_price(plan, period_type):
    price = plan.old_prices.get(period_type)
    return price.amount if price is not None else None


# -------------------------------------------------------------------------------------------------
# Checking rows: the dry run
# -------------------------------------------------------------------------------------------------

class _Refs:
    """The catalogue rows the file may name, loaded once."""

    def __init__(self):
        self.service_types = {row.code: row for row in ServiceType.objects.all()}
        self.resource_types = {row.code: row for row in ResourceType.objects.all()}
        self.regions = {row.code: row for row in Region.objects.all()}
        self.measures = {row.measure_id: row for row in MeasureUnit.objects.all()}
        self.usage_types = {(row.resource_type_id, row.code): row for row in UsageType.objects.all()}


class _Row:
    def __init__(self, line, values, errors):
        self.line, self.values, self.errors = line, values, errors

    def error(self, column, message):
        self.errors.append(RowError(self.line, column, str(message)))

    def text(self, column, *, required=False, max_length=None):
        value = self.values.get(column, "")
        if required and not value:
            self.error(column, _("Required."))
        if max_length and len(value) > max_length:
            self.error(column, _("At most %(max)d characters.") % {"max": max_length})
        return value

    def integer(self, column, *, choices=None, required=False):
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, _("Required."))
            return None
        try:
            number = int(value)
        except ValueError:
            self.error(column, _("Not a whole number: %(value)s") % {"value": value})
            return None
        if number < 0 or (choices is not None and number not in choices):
            self.error(column, _("Not one of %(choices)s: %(value)s") % {
                "choices": ", ".join(str(c) for c in (choices or ())) or ">= 0", "value": value})
            return None
        return number

    def decimal(self, column, *, places, integer_digits, positive=False):
        value = self.values.get(column, "")
        if not value:
            return None
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, _("Not a number: %(value)s") % {"value": value})
            return None
        if number < 0 or (positive and number == 0):
            self.error(column, _("Must be greater than 0.") if positive else _("Must not be negative."))
            return None
        exponent = number.as_tuple().exponent
        if -exponent > places:
            self.error(column, _("At most %(places)d decimal places: %(value)s") % {"places": places, "value": value})
            return None
        if number.adjusted() >= integer_digits:
            self.error(column, _("Too large: %(value)s") % {"value": value})
            return None
        return number

    def flag(self, column, *, default=False):
        value = self.values.get(column, "")
        if not value:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.error(column, _("Not a yes/no value (1/0): %(value)s") % {"value": value})
        return default


def _product_values(row: _Row, refs: _Refs) -> dict | None:
    """The product's attributes from one row (ids for the references), or None when a reference is wrong."""
    before = len(row.errors)
    service_type = refs.service_types.get(row.text("service_type_code", required=True))
    if service_type is None and row.values.get("service_type_code"):
        row.error("service_type_code", _("No such service type in the catalogue."))
    resource_type = refs.resource_types.get(row.text("resource_type_code", required=True))
    if resource_type is None and row.values.get("resource_type_code"):
        row.error("resource_type_code", _("No such resource type in the catalogue."))
    elif resource_type is not None and service_type is not None and resource_type.service_type_id != service_type.pk:
        row.error("resource_type_code", _("The resource type belongs to service type %(code)s.") % {
            "code": resource_type.service_type.code})
    region = refs.regions.get(row.text("region_code", required=True))
    if region is None and row.values.get("region_code"):
        row.error("region_code", _("No such region in the catalogue."))
    spec = row.text("resource_spec", required=True, max_length=64)
    spec_name = row.text("spec_name", max_length=255) or spec
    charge_mode = row.integer("charge_mode", choices=ChargeMode.values, required=True)
    values = {
        "service_type": service_type.pk if service_type else None,
        "resource_type": resource_type.pk if resource_type else None,
        "region": region.pk if region else None,
        "resource_spec": spec, "spec_name": spec_name, "spec_name_en": row.text("spec_name_en", max_length=255),
        "charge_mode": charge_mode,
        "is_linear": row.flag("is_linear"),
        "size_measure": _measure(row, refs, "size_measure_id"),
        "min_size": row.integer("min_size"), "max_size": row.integer("max_size"),
        "usage_type": None,
        "usage_measure": _measure(row, refs, "usage_measure_id"),
        "is_package": row.flag("is_package"),
        "package_quota": row.decimal("package_quota", places=4, integer_digits=16, positive=True),
        "package_reset": row.integer("package_reset", choices=PackageReset.values),
        "is_marketplace": row.flag("is_marketplace"), "is_stored_card": row.flag("is_stored_card"),
        "is_active": row.flag("is_active", default=True),
    }
    usage_code = row.text("usage_type_code")
    if usage_code and resource_type is not None:
        usage_type = refs.usage_types.get((resource_type.pk, usage_code))
        if usage_type is None:
            row.error("usage_type_code", _("No such usage type of this resource type."))
        else:
            values["usage_type"] = usage_type.pk
    _check_product(row, values, usage_code)
    return values if len(row.errors) == before else None


def _measure(row, refs, column):
    measure_id = row.integer(column)
    if measure_id is not None and measure_id not in refs.measures:
        row.error(column, _("No such measurement unit: %(value)s") % {"value": measure_id})
    return measure_id


def _check_product(row, values, usage_code):
    """The model's rules, as row errors rather than a failed insert."""
    if values["is_linear"] and not values["size_measure"]:
        row.error("size_measure_id", _("A linear product needs its size unit."))
    if values["min_size"] is not None and values["max_size"] is not None and values["min_size"] > values["max_size"]:
        row.error("max_size", _("Smaller than min_size."))
    if values["charge_mode"] == ChargeMode.ON_DEMAND:
        if not usage_code:
            row.error("usage_type_code", _("An on-demand product needs its usage type."))
        if not values["usage_measure"]:
            row.error("usage_measure_id", _("An on-demand product needs its usage unit."))
    if values["is_package"]:
        if values["package_quota"] is None:
            row.error("package_quota", _("A resource package needs its quota."))
        if values["package_reset"] is None:
            row.error("package_reset", _("A resource package needs its reset rule (1 or 2)."))


def _price(row: _Row, charge_mode):
    """(period type, amount) of the row's price, None for a row without one, or False when wrong."""
    before = len(row.errors)
    period_type = row.integer("period_type", choices=PeriodType.values)
    amount = row.decimal("price", places=PRICE_PLACES, integer_digits=PRICE_INTEGER_DIGITS)
    if len(row.errors) > before:
        return False
    if charge_mode == ChargeMode.ON_DEMAND and period_type is not None:
        row.error("period_type", _("An on-demand price has no period type; leave it blank."))
        return False
    if charge_mode == ChargeMode.PERIOD and period_type is None and amount is not None:
        row.error("period_type", _("A yearly/monthly price needs its period type."))
        return False
    if period_type is not None and amount is None:
        row.error("price", _("Required."))
        return False
    return None if amount is None else (period_type, amount)


def plan_import(table: list[tuple[int, dict]]) -> ImportPlan:
    """Check every row against the catalogue and say what the import would change; writes nothing."""
    plan = ImportPlan(rows=len(table))
    refs = _Refs()
    products: dict[tuple, _ProductPlan] = {}
    claimed_ids: dict[str, tuple] = {}
    for line, values in table:
        before = len(plan.errors)
        row = _Row(line, values, plan.errors)
        product_values = _product_values(row, refs)
        price = _price(row, product_values["charge_mode"] if product_values else None)
        product_id = row.text("product_id", max_length=64)
        if len(plan.errors) > before:
            continue
        key = (product_values["resource_type"], product_values["resource_spec"], product_values["region"],
               product_values["charge_mode"])
        product = products.get(key)
        if product is None:
            product = products[key] = _ProductPlan(key=key, values=product_values, line=line)
        elif product.values != product_values:
            differing = [FIELD_COLUMNS.get(name, name) for name in PRODUCT_FIELDS
                         if product.values[name] != product_values[name]]
            row.error(differing[0], _("Differs from line %(line)d for the same product (%(columns)s).")
                      % {"line": product.line, "columns": ", ".join(differing)})
            continue
        if product_id:
            if product.product_id and product.product_id != product_id:
                row.error("product_id", _("Line %(line)d gave this product the ID %(id)s.") % {
                    "line": product.line, "id": product.product_id})
                continue
            if claimed_ids.setdefault(product_id, key) != key:
                row.error("product_id", _("Another product of the file has this ID."))
                continue
            product.product_id = product_id
        if price is not None:
            period_type, amount = price
            if period_type in product.prices:
                row.error("period_type", _("Line %(line)d already prices this product for this period.") % {
                    "line": product.prices[period_type][1]})
                continue
            product.prices[period_type] = (amount, line)
        product.lines.append(line)
    plan.products = list(products.values())
    _match_existing(plan)
    _describe_lines(plan)
    plan.errors.sort(key=lambda error: error.line)
    return plan


def _match_existing(plan):
    """Find the products the file changes (by resource type, spec, region and charging mode), with their
    prices, and check the product IDs it names."""
    if not plan.products:
        return
    existing = {}
    specs = {product.key[1] for product in plan.products}
    for product in Product.objects.filter(resource_spec__in=specs).prefetch_related("prices"):
        existing[(product.resource_type_id, product.resource_spec, product.region_id, product.charge_mode)] = product
    named = {product.product_id for product in plan.products if product.product_id}
    taken = set(Product.objects.filter(product_id__in=named).values_list("product_id", flat=True))
    for product_plan in plan.products:
        product = existing.get(product_plan.key)
        if product is not None:
            product_plan.existing = product
            product_plan.old_prices = {price.period_type: price for price in product.prices.all()}
            if product_plan.product_id and product_plan.product_id != product.product_id:
                plan.errors.append(RowError(product_plan.line, "product_id", _(
                    "The catalogue has this product with the ID %(id)s.") % {"id": product.product_id}))
        elif product_plan.product_id in taken:
            plan.errors.append(RowError(product_plan.line, "product_id", _(
                "Another product of the catalogue has this ID.")))


def _describe_lines(plan):
    """What each good line does: create (a new product), update (its product or price changes), unchanged."""
    for product in plan.products:
        product_changed = product.existing is None or bool(product.changed_fields)
        price_lines = {line: _old_price(product, period_type) != amount
                       for period_type, (amount, line) in product.prices.items()}
        for line in product.lines:
            changed = (product_changed and line == product.line) or price_lines.get(line, False)
            plan.lines[line] = "create" if product.existing is None else ("update" if changed else "unchanged")
    plan.lines = dict(sorted(plan.lines.items()))


# -------------------------------------------------------------------------------------------------
# Applying
# -------------------------------------------------------------------------------------------------

def apply_import(table: list[tuple[int, dict]]) -> ImportPlan:
    """Plan again and, when no row is wrong, write every product and price in one transaction. Returns the
    plan (with its errors, and nothing written, when there are any)."""
    with transaction.atomic():
        plan = plan_import(table)
        if not plan.ok:
            return plan
        try:
            with transaction.atomic():
                _write(plan)
        except IntegrityError as exc:  # another import wrote the same product meanwhile
            plan.errors.append(RowError(0, "", _("The catalogue changed while importing: %(error)s") % {"error": exc}))
    return plan


_FOREIGN_KEYS = ("service_type", "resource_type", "region", "size_measure", "usage_type", "usage_measure")


def _write(plan: ImportPlan):
    new_products = []
    for product_plan in plan.products:
        values = {(f"{name}_id" if name in _FOREIGN_KEYS else name): value for name, value in product_plan.values.items()}
        if product_plan.existing is None:
            product = Product(**values)
            if product_plan.product_id:
                product.product_id = product_plan.product_id
            product_plan.new = product
            new_products.append(product)
        elif product_plan.changed_fields:
            for name, value in values.items():
                setattr(product_plan.existing, name, value)
            product_plan.existing.save()
    Product.objects.bulk_create(new_products)
    pks = dict(Product.objects.filter(product_id__in=[p.product_id for p in new_products]).values_list("product_id",
                                                                                                       "pk"))
    new_prices, changed_prices = [], []
    for product_plan in plan.products:
        product_pk = product_plan.existing.pk if product_plan.existing else pks[product_plan.new.product_id]
        for period_type, (amount, _line) in product_plan.prices.items():
            price = product_plan.old_prices.get(period_type)
            if price is None:
                new_prices.append(Price(product_id=product_pk, period_type=period_type, amount=amount))
            elif price.amount != amount:
                price.amount = amount
                changed_prices.append(price)
    Price.objects.bulk_create(new_prices)
    Price.objects.bulk_update(changed_prices, ["amount"])


# -------------------------------------------------------------------------------------------------
# Exporting
# -------------------------------------------------------------------------------------------------

def export_rows(products=None) -> list[dict]:
    """One dict per price (and one per product without a price), in COLUMNS, values as Python objects."""
    queryset = Product.objects.all() if products is None else products
    queryset = queryset.select_related("service_type", "resource_type", "region", "usage_type").prefetch_related(
        "prices").order_by("service_type__code", "resource_type__code", "resource_spec", "region__code", "charge_mode")
    rows = []
    for product in queryset:
        base = {
            "service_type_code": product.service_type.code, "resource_type_code": product.resource_type.code,
            "resource_spec": product.resource_spec, "spec_name": product.spec_name,
            "spec_name_en": product.spec_name_en, "region_code": product.region.code,
            "charge_mode": product.charge_mode, "is_linear": int(product.is_linear),
            "size_measure_id": product.size_measure_id, "min_size": product.min_size, "max_size": product.max_size,
            "usage_type_code": product.usage_type.code if product.usage_type else None,
            "usage_measure_id": product.usage_measure_id, "is_package": int(product.is_package),
            "package_quota": product.package_quota.normalize() if product.package_quota is not None else None,
            "package_reset": product.package_reset, "is_marketplace": int(product.is_marketplace),
            "is_stored_card": int(product.is_stored_card), "is_active": int(product.is_active),
            "product_id": product.product_id,
        }
        prices = sorted(product.prices.all(), key=lambda p: -1 if p.period_type is None else p.period_type)
        for price in prices or [None]:
            rows.append({**base, "period_type": price.period_type if price else None,
                         "price": plain_price(price.amount) if price else None})
    return [{column: row.get(column) for column in COLUMNS} for row in rows]


def plain_price(amount: Decimal) -> Decimal:
    """A stored price as written: 0.2200000000 → 0.22, 73.7000000000 → 73.70, 0.0001380000 → 0.000138."""
    normalized = amount.normalize()
    return normalized.quantize(Decimal("0.01")) if normalized.as_tuple().exponent > -2 else normalized

