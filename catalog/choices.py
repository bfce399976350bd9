"""Enumerations of the catalogue, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["ChargeMode", "PeriodType", "MeasureType", "PackageReset", "Measure"]


class ChargeMode(models.IntegerChoices):
    """charge_mode of resource-specs-query: 1 包年/包月, 3 按需."""

    PERIOD = 1, _("yearly/monthly")
    ON_DEMAND = 3, _("pay-per-use")


class PeriodType(models.IntegerChoices):
    """period_type of the rating and order endpoints."""

    DAY = 0, pgettext_lazy("period", "day")
    MONTH = 2, pgettext_lazy("period", "month")
    YEAR = 3, pgettext_lazy("period", "year")
    HOUR = 4, pgettext_lazy("period", "hour")
    ONE_OFF = 5, pgettext_lazy("period", "one-off")


class MeasureType(models.IntegerChoices):
    """measure_type of /v2/bases/measurements (the ones the catalogue uses)."""

    CURRENCY = 1, _("currency")
    DURATION = 2, _("duration")
    TRAFFIC = 3, _("traffic")
    QUANTITY = 4, _("quantity")
    CAPACITY = 7, _("capacity")
    PERIOD = 10, _("period")
    COUNT = 12, _("count")
    BANDWIDTH = 16, _("bandwidth rate")


class PackageReset(models.IntegerChoices):
    """A resource package's usage quota: reset every period (1) or not (2)."""

    RESETTABLE = 1, _("resettable")
    NOT_RESETTABLE = 2, _("not resettable")


class Measure:
    """measure_id values the code refers to by name (Huawei's ids)."""

    YUAN = 1
    HOUR = 4
    MINUTE = 5
    SECOND = 6
    GB = 10
    MB = 11
    COUNT = 14
    MBPS = 15
    GB_SIZE = 17
