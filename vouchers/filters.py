"""The filters of the voucher lists — one FilterSet per list, shared by the page, its export and its CBC
endpoint (see partnercenter/filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet, MomentFilter, ValuesFilter

from .choices import CouponOperation, CouponStatus, CouponType, QuotaOperation, QuotaStatus, QuotaType
from .models import Coupon, CouponQuota, CouponRecord, QuotaRecord

__all__ = ["QuotaFilter", "CouponFilter", "CouponRecordFilter", "IssuedQuotaFilter", "QuotaRecordFilter",
           "CustomerCouponFilter"]


def _typed(label, choices, **kwargs):
    return django_filters.TypedChoiceFilter(label=label, coerce=int, empty_value=None,
                                            choices=[("", ALL), *choices], **kwargs)


class QuotaFilter(ListFilterSet):
    """代金券额度 / 现金券额度 and `GET /v2/partners/coupon-quotas`."""

    quota_id = ValuesFilter(label=_("Quota ID"), field_name="quota_id")
    status = ValuesFilter(label=_("Status"), choices=QuotaStatus.choices, coerce=int)
    quota_type = _typed(_("Quota type"), QuotaType.choices)
    created_from = MomentFilter(field_name="created_at")
    created_to = MomentFilter(field_name="created_at", end=True)
    effective_from = MomentFilter(field_name="effective_time")
    effective_to = MomentFilter(field_name="effective_time", end=True)
    expires_from = MomentFilter(label=_("Expires from"), field_name="expire_time")
    expires_to = MomentFilter(label=_("Expires to"), field_name="expire_time", end=True)

    # The quota type is the page's tab; the expiry range is where the home page's "quotas expiring" links.
    page_filters = ("quota_id", "status", "expires_from", "expires_to")
    wire = {"quota_ids": "quota_id", "quota_status_list": "status", "create_time_begin": "created_from",
            "create_time_end": "created_to", "effective_time_begin": "effective_from",
            "effective_time_end": "effective_to", "expire_time_begin": "expires_from", "expire_time_end": "expires_to"}

    class Meta:
        model = CouponQuota
        fields = []

    @classmethod
    def from_wire(cls, data, queryset, **kwargs):
        """Without `quota_type` (or with null) the API lists 代金券额度 (0), as Huawei documents."""
        if data.get("quota_type") is None:
            data = {**data, "quota_type": QuotaType.CASH_COUPON}
        return super().from_wire(data, queryset, **kwargs)


class CouponFilter(ListFilterSet):
    """已发放代金券, its export and `GET /v2/promotions/benefits/partner-coupons`."""

    coupon_id = django_filters.CharFilter(label=_("Coupon ID"), max_length=64)
    customer_id = django_filters.CharFilter(label=_("Customer account ID"), field_name="customer__domain_id",
                                            max_length=64)
    coupon_type = _typed(_("Coupon type"), CouponType.choices)
    status = _typed(_("Status"), CouponStatus.choices)
    created_from = MomentFilter(label=_("Issued from"), field_name="created_at")
    created_to = MomentFilter(label=_("Issued to"), field_name="created_at", end=True)
    effective_from = MomentFilter(field_name="valid_time")
    effective_to = MomentFilter(field_name="valid_time", end=True)
    expires_from = MomentFilter(label=_("Expires from"), field_name="expire_time")
    expires_to = MomentFilter(label=_("Expires to"), field_name="expire_time", end=True)
    order_id = django_filters.CharFilter(method="used_by_order", max_length=64)

    page_filters = ("coupon_id", "customer_id", "coupon_type", "status", "created_from", "created_to", "expires_from",
                    "expires_to")
    wire = {"create_time_begin": "created_from", "create_time_end": "created_to",
            "effective_time_begin": "effective_from", "effective_time_end": "effective_to",
            "expire_time_begin": "expires_from", "expire_time_end": "expires_to"}

    class Meta:
        model = Coupon
        fields = []

    def used_by_order(self, queryset, name, value):
        return queryset.none()  # no order spends a coupon here yet


class CouponRecordFilter(ListFilterSet):
    """代金券操作记录 and `GET /v2/promotions/benefits/partner-coupons/records/query`."""

    operation_type = ValuesFilter(label=_("Operation"), choices=CouponOperation.choices)
    customer_id = django_filters.CharFilter(label=_("Customer account ID"), field_name="customer__domain_id",
                                            max_length=64)
    coupon_id = django_filters.CharFilter(label=_("Coupon ID"), field_name="coupon__coupon_id", max_length=64)
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)
    coupon_ids = ValuesFilter(field_name="coupon__coupon_id")
    quota_id = django_filters.CharFilter(field_name="quota__quota_id", max_length=64)
    quota_type = _typed(_("Quota type"), QuotaType.choices, field_name="quota__quota_type")
    result = django_filters.CharFilter(max_length=2)

    page_filters = ("operation_type", "customer_id", "coupon_id", "date_from", "date_to")
    wire = {"operation_types": "operation_type", "operation_time_begin": "date_from", "operation_time_end": "date_to"}
    wire_values = {"result": {"0": "0", "-1": "-1"}}  # 0 succeeded, -1 failed; another value is no filter

    class Meta:
        model = CouponRecord
        fields = []


class IssuedQuotaFilter(ListFilterSet):
    """The quotas a distributor passed to its resellers and `GET /v2/partners/issued-coupon-quotas`."""

    quota_id = django_filters.CharFilter(label=_("Quota ID"), max_length=64)
    indirect_partner_id = django_filters.CharFilter(label=_("Reseller ID"), field_name="partner__domain_id",
                                                    max_length=64)
    parent_quota_id = django_filters.CharFilter(label=_("Parent quota ID"), field_name="parent__quota_id",
                                                max_length=64)

    class Meta:
        model = CouponQuota
        fields = []


class QuotaRecordFilter(ListFilterSet):
    """A distributor's quota records with its resellers and `GET /v2/partners/coupon-quotas/records`."""

    operation_type = django_filters.ChoiceFilter(label=_("Operation"), choices=QuotaOperation.choices, empty_label=ALL)
    indirect_partner_id = django_filters.CharFilter(label=_("Reseller ID"), field_name="reseller__domain_id",
                                                    max_length=64)
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)
    quota_id = django_filters.CharFilter(field_name="quota__quota_id", max_length=64)
    parent_quota_id = django_filters.CharFilter(field_name="parent_quota__quota_id", max_length=64)

    page_filters = ("operation_type", "indirect_partner_id", "date_from", "date_to")
    wire = {"operation_time_begin": "date_from", "operation_time_end": "date_to"}
    wire_values = {"operation_type": {value: value for value in QuotaOperation.values}}  # another value: no filter

    class Meta:
        model = QuotaRecord
        fields = []


class CustomerCouponFilter(ListFilterSet):
    """The customer's 优惠券 page in the fee center and `GET /v2/promotions/benefits/coupons`."""

    status = _typed(_("Status"), CouponStatus.choices)
    coupon_id = django_filters.CharFilter(label=_("Coupon ID"), max_length=64)
    # Huawei's coupon types 1-4, also the discount (2) and product (3) coupons no partner issues here.
    coupon_type = django_filters.NumberFilter()
    source_id = django_filters.CharFilter(field_name="partner__domain_id", max_length=64)

    page_filters = ("status", "coupon_id")  # the coupon type is the page's tab

    class Meta:
        model = Coupon
        fields = []
