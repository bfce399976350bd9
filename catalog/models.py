"""The product catalogue: what can be bought, in which region, and at what official price.

Operators maintain it in the admin (and by a price-list import); everything else reads it. Codes are
Huawei's (`hws.service.type.ec2`, `hws.resource.type.vm`, `s6.small.1.linux`, `cn-north-4`); names come
in zh-hans (`name`) and English (`name_en`), chosen by the request's language or X-Language.

A product is one spec of one resource type in one region under one charging mode. Its prices are rows
of `Price`: for an on-demand product one row (period_type empty) priced per unit of its usage measure
(per hour, per GB of traffic …); for a period product one row per period type (month, year …). A
linear product (a disk, a bandwidth) is priced per unit of its size, and must be asked for with one.
Prices carry up to 10 decimals; amounts that are paid are quantized to the fen by `trade.pricing`.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ChargeMode, MeasureType, PackageReset, PeriodType

__all__ = ["Region", "ServiceType", "ResourceType", "MeasureUnit", "Conversion", "UsageType", "Product", "Price",
           "new_product_id", "PRICE"]

PRICE = {"max_digits": 24, "decimal_places": 10}


def new_product_id() -> str:
    return "OFFI" + uuid.uuid4().hex[:20].upper()


class _Named(models.Model):
    name = models.CharField(_("name (Chinese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=128, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        """The name in the active language (English falls back to Chinese when none was given)."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def __str__(self):
        return self.display_name


class Region(_Named):
    code = models.CharField(_("region code"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]


class ServiceType(_Named):
    """A cloud service type (云服务类型). `allow_discount` lets partners set a discount for it (伙伴设置折扣,
    607), taking at most `max_partner_discount` of the official price off."""

    code = models.CharField(_("service type code"), max_length=64, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    allow_discount = models.BooleanField(_("partners may set discounts"), default=False)
    max_partner_discount = models.DecimalField(
        _("largest partner discount"), max_digits=4, decimal_places=3, default=0,
        help_text=_("The largest share of the official price a partner may take off, e.g. 0.150 for 15%."))
    unsubscribe_fee_rate = models.DecimalField(
        _("unsubscription handling fee"), max_digits=5, decimal_places=4, default=0,
        help_text=_("The share of a refund kept as a handling fee when a yearly/monthly resource of this "
                    "service type is unsubscribed, e.g. 0.1000 for 10%; 0 for none."))

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="service_type_discount_share",
                                   condition=Q(max_partner_discount__gte=0, max_partner_discount__lt=1)),
            models.CheckConstraint(name="service_type_unsubscribe_fee_share",
                                   condition=Q(unsubscribe_fee_rate__gte=0, unsubscribe_fee_rate__lt=1)),
        ]


class ResourceType(_Named):
    code = models.CharField(_("resource type code"), max_length=64, unique=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="resource_types")
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("resource type")
        verbose_name_plural = _("resource types")
        ordering = ["code"]


class MeasureUnit(_Named):
    """A measurement unit (度量单位) with Huawei's id: 1 元, 4 小时, 10 GB, 15 Mbps, 17 GB (size) …"""

    measure_id = models.PositiveIntegerField(_("measure ID"), primary_key=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    measure_type = models.PositiveSmallIntegerField(_("measure type"), choices=MeasureType.choices)

    class Meta:
        verbose_name = _("measurement unit")
        verbose_name_plural = _("measurement units")
        ordering = ["measure_id"]


class Conversion(models.Model):
    """1 `measure` = `ratio` × `ref_measure` (1 GB = 1024 MB, 1 hour = 60 minutes)."""

    measure = models.ForeignKey(MeasureUnit, on_delete=models.CASCADE, related_name="conversions")
    ref_measure = models.ForeignKey(MeasureUnit, on_delete=models.CASCADE, related_name="+")
    ratio = models.PositiveIntegerField(_("conversion ratio"))
    measure_type = models.PositiveSmallIntegerField(_("measure type"), choices=MeasureType.choices)

    class Meta:
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        ordering = ["measure_type", "measure_id", "ref_measure_id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "ref_measure"], name="conversion_unique_pair"),
            models.CheckConstraint(name="conversion_ratio_positive", condition=Q(ratio__gt=0)),
        ]

    def __str__(self):
        return f"1 {self.measure} = {self.ratio} {self.ref_measure}"


class UsageType(_Named):
    """A usage type (使用量类型, the usage factor of metering records): Duration, upflow …"""

    code = models.CharField(_("usage type code"), max_length=64)
    resource_type = models.ForeignKey(ResourceType, on_delete=models.PROTECT, related_name="usage_types")

    class Meta:
        verbose_name = _("usage type")
        verbose_name_plural = _("usage types")
        ordering = ["resource_type__code", "code"]
        constraints = [models.UniqueConstraint(fields=["resource_type", "code"], name="usage_type_unique_per_resource")]


class Product(models.Model):
    product_id = models.CharField(_("product ID"), max_length=64, unique=True, default=new_product_id)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="products")
    resource_type = models.ForeignKey(ResourceType, on_delete=models.PROTECT, related_name="products")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="products")
    resource_spec = models.CharField(_("resource spec code"), max_length=64)
    spec_name = models.CharField(_("spec name (Chinese)"), max_length=255)
    spec_name_en = models.CharField(_("spec name (English)"), max_length=255, blank=True)
    charge_mode = models.PositiveSmallIntegerField(_("charging mode"), choices=ChargeMode.choices)
    # a linear product (disk, bandwidth) is priced per unit of its size, asked for in size_measure
    is_linear = models.BooleanField(_("linear (priced by size)"), default=False)
    size_measure = models.ForeignKey(MeasureUnit, verbose_name=_("size unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    min_size = models.PositiveIntegerField(_("smallest size"), null=True, blank=True)
    max_size = models.PositiveIntegerField(_("largest size"), null=True, blank=True)
    # on-demand: what is metered, and the unit the price is per
    usage_type = models.ForeignKey(UsageType, verbose_name=_("usage type"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="products")
    usage_measure = models.ForeignKey(MeasureUnit, verbose_name=_("usage unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    # resource packages (资源包): a quota of usage, bought for a period, reset every month or not
    is_package = models.BooleanField(_("resource package"), default=False)
    package_quota = models.DecimalField(_("package quota"), max_digits=20, decimal_places=4, null=True, blank=True)
    package_reset = models.PositiveSmallIntegerField(_("quota reset"), choices=PackageReset.choices, null=True,
                                                     blank=True)
    is_marketplace = models.BooleanField(_("marketplace (云商店严选) product"), default=False)
    is_stored_card = models.BooleanField(_("stored-value card"), default=False,
                                         help_text=_("Stored-value card purchases cannot be paid by the partner."))
    is_savings_plan = models.BooleanField(_("savings plan (节省计划)"), default=False,
                                          help_text=_("Resources bought with it cannot be unsubscribed."))
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["service_type__code", "resource_type__code", "resource_spec", "region__code", "charge_mode"]
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_spec", "region", "charge_mode"],
                                    name="product_unique_spec_region_mode"),
            models.CheckConstraint(name="product_linear_has_size_unit",
                                   condition=Q(is_linear=False) | Q(size_measure__isnull=False)),
            models.CheckConstraint(name="product_on_demand_has_usage",
                                   condition=~Q(charge_mode=ChargeMode.ON_DEMAND)
                                   | Q(usage_type__isnull=False, usage_measure__isnull=False)),
            models.CheckConstraint(name="product_package_has_quota",
                                   condition=Q(is_package=False)
                                   | Q(package_quota__gt=0, package_reset__isnull=False)),
        ]
        indexes = [models.Index(fields=["service_type", "resource_type", "region", "charge_mode"])]

    def __str__(self):
        return f"{self.spec_display} ({self.region.code})"

    @property
    def spec_display(self) -> str:
        if (get_language() or "").startswith("en") and self.spec_name_en:
            return self.spec_name_en
        return self.spec_name


class Price(models.Model):
    """One official price of a product: per usage unit (on-demand, `period_type` empty) or per period.
    For a linear product the price is per unit of size."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    period_type = models.PositiveSmallIntegerField(_("period type"), choices=PeriodType.choices, null=True,
                                                   blank=True)
    amount = models.DecimalField(_("official price"), **PRICE)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["product_id", "period_type"]
        constraints = [
            models.UniqueConstraint(fields=["product", "period_type"], name="price_unique_per_period"),
            models.UniqueConstraint(fields=["product"], condition=Q(period_type__isnull=True),
                                    name="price_one_usage_price"),
            models.CheckConstraint(name="price_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.product_id} {self.get_period_type_display() or '-'} {self.amount}"
