"""The rows of the customer's bill endpoints on the wire: a fee record, a monthly sum, a resource record (one
fee record, or a resource's sum over a cycle or a day), a package, a package use, a month's cost, a cost
group, and the 95-billing usage figures — each as the dict of its SDK model (customer_serializers.py).

Conventions: times in UTC `YYYY-MM-DDTHH:MM:SSZ`, days in Asia/Shanghai; `enterprise_project_id` is "0" (the
default project — there are no others here); usage amounts in plain decimal text where Huawei sends text;
`discount_amount` on the resource rows (which have no field for it) includes what was rounded off, so
official = discount + amount holds on every row.
"""

from datetime import timezone as dt_timezone
from decimal import Decimal


from catalog.choices import ChargeMode, PackageReset, PeriodType
from catalog.selectors import name_of_region, name_of_resource_type, name_of_service_type
from partnercenter.api.fields import WIRE_TIME_FORMAT

from .. import customer_costs
from ..customer_filters import DEFAULT_PROJECT
from ..customer_selectors import ZERO, current_remaining, current_window, customer_of
from ..models import UsageRecord
from ..periods import SHANGHAI, current_cycle, cycle_bounds

__all__ = ["DEFAULT_PROJECT", "wire", "plain", "money_totals", "sum_row", "fee_record_row", "res_fee_row",
           "res_record_row", "usage_points", "band_widths", "no_band_width", "package_row", "package_usage_row",
           "package_use_row", "breakdown_row", "cost_row", "PERIOD_TYPES"]

# our PeriodType → the bills' period_type (19 year, 20 month, 24 day, 25 hour, 5 one-off)
PERIOD_TYPES = {PeriodType.YEAR: 19, PeriodType.MONTH: 20, PeriodType.DAY: 24, PeriodType.HOUR: 25,
                PeriodType.ONE_OFF: 5}
MONTHLY_CYCLE, NATURAL, BY_ORDER = 4, 1, 2
DAYS_PRECISION = Decimal(10) ** -20  # quota_reuse_cycle (month), quota_reuse_cycle_type


def wire(moment):
    return moment.astimezone(dt_timezone.utc).strftime(WIRE_TIME_FORMAT) if moment else None


def plain(value):
    """A usage amount as text, without trailing zeros ("40", "0.5")."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _project():
    return {"enterprise_project_id": DEFAULT_PROJECT, "enterprise_project_name": "default"}


def _who(customer):
    return {"customer_id": customer.domain_id, "account_name": customer.domain_name}


def money_totals(totals: dict) -> dict:
    return {"consume_amount": totals["consume_amount"], "debt_amount": totals["debt_amount"],
            "coupon_amount": totals["coupon_amount"], "flexipurchase_coupon_amount": totals["flexipurchase_coupon_amount"],
            "stored_value_card_amount": ZERO, "cash_amount": totals["cash_amount"], "credit_amount": ZERO,
            "writeoff_amount": totals["writeoff_amount"]}


def sum_row(row: dict, cycle: str, customer) -> dict:
    service, resource = row["service_type__code"], row["resource_type__code"]
    return {"bill_cycle": cycle, "service_type_code": service, "service_type_name": name_of_service_type(service),
            "resource_type_code": resource or "", "resource_type_name": name_of_resource_type(resource),
            "charging_mode": row["charging_mode"], "official_amount": row["official_amount"],
            "official_discount_amount": row["discount_amount"], "truncated_amount": row["erase_amount"],
            "measure_id": 1, "bill_type": row["kind"], **money_totals(row), **_who(customer)}


def _payments(source) -> dict:
    get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
    return {"cash_amount": get("cash_amount"), "credit_amount": ZERO, "coupon_amount": get("coupon_amount"),
            "flexipurchase_coupon_amount": get("flexipurchase_coupon_amount"), "debt_amount": get("debt_amount"),
            "bonus_amount": ZERO, "official_amount": get("official_amount"),
            "discount_amount": get("discount_amount") + get("erase_amount")}


def fee_record_row(record, customer) -> dict:
    """MonthlyBillRecord (流水账单)."""
    return {
        "bill_cycle": record.bill_cycle, **_who(customer), "service_type_code": record.service_type.code,
        "service_type_name": record.service_type.display_name,
        "resource_type_code": record.resource_type.code if record.resource_type else None,
        "resource_type_name": record.resource_type.display_name if record.resource_type else None,
        "region_code": record.region.code if record.region else None,
        "region_name": record.region.display_name if record.region else None, **_project(),
        "charging_mode": record.charging_mode, "consume_time": wire(record.consumed_at),
        "trade_time": wire(record.trade_time), "provider_type": 2 if record.product and record.product.is_marketplace else 1,
        "trade_id": record.trade_id, "id": record.record_id, "bill_type": record.bill_type, "status": record.status,
        "official_amount": record.official_amount, "official_discount_amount": record.discount_amount,
        "erase_amount": record.erase_amount, "consume_amount": record.consume_amount, "cash_amount": record.cash_amount,
        "credit_amount": ZERO, "coupon_amount": record.coupon_amount,
        "flexipurchase_coupon_amount": record.flexipurchase_coupon_amount, "stored_value_card_amount": ZERO,
        "bonus_amount": ZERO, "debt_amount": record.debt_amount, "writeoff_amount": record.writeoff_amount,
    }


def _resource_common(source, customer, statistic_type) -> dict:
    """What the two resource-record shapes share, from a fee record (detail) or a group (by cycle or day)."""
    if isinstance(source, dict):
        service, resource, region = source["service_type__code"], source["resource_type__code"], source["region__code"]
        product_name = (source["product__spec_name_en"] if _english() and source["product__spec_name_en"]
                        else source["product__spec_name"])
        bill_date = source.get("bill_date")
        common = {"cycle": source["bill_cycle"], "product_id": source["product__product_id"],
                  "product_name": product_name, "sku_code": None, "resource_name": source["resource_name"],
                  "product_spec_desc": source["product_spec_desc"], "trade_id": None, "id": None,
                  "trade_time": wire(source["last_trade"]), "usage_type": source["usage_type__code"],
                  "usage": source["usage"], "usage_measure_id": source["usage_measure_id"],
                  "free_resource_usage": source["free_usage"], "period_num": source["period_num"],
                  "effective_time": None, "expire_time": None, "consume_time": None,
                  "bill_date": bill_date.isoformat() if bill_date else None, "amount": source["consume_amount"],
                  "writeoff": source["writeoff_amount"], "charging_mode": source["charging_mode"],
                  "bill_type": source["bill_type"], "period_type": source["period_type"],
                  "resource_id": source["resource_id"]}
    else:
        service = source.service_type.code
        resource = source.resource_type.code if source.resource_type else None
        region = source.region.code if source.region else None
        product = source.product
        common = {"cycle": source.bill_cycle, "product_id": product.product_id if product else None,
                  "product_name": product.spec_display if product else None,
                  "sku_code": product.resource_spec if product else None, "resource_name": source.resource_name,
                  "product_spec_desc": source.product_spec_desc, "trade_id": source.trade_id, "id": source.record_id,
                  "trade_time": wire(source.trade_time), "usage_type": source.usage_type.code if source.usage_type else None,
                  "usage": source.usage_amount, "usage_measure_id": source.usage_measure_id,
                  "free_resource_usage": source.free_resource_usage, "period_num": source.period_num,
                  "effective_time": wire(source.effective_time), "expire_time": wire(source.expire_time),
                  "consume_time": wire(source.consumed_at),
                  "bill_date": source.consumed_at.astimezone(SHANGHAI).date().isoformat(),
                  "amount": source.consume_amount, "writeoff": source.writeoff_amount,
                  "charging_mode": source.charging_mode, "bill_type": source.bill_type,
                  "period_type": source.period_type, "resource_id": source.resource_id}
    if statistic_type != 2:
        common["bill_date"] = None if statistic_type == 1 else common["bill_date"]
    if common["charging_mode"] == ChargeMode.PERIOD:  # 查询包周期资源，不返回资源的使用量
        common.update(usage=None, usage_measure_id=None)
    common.update(service=service, resource=resource, region=region, payments=_payments(source), **_who(customer))
    return common


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def _period(value):
    return PERIOD_TYPES.get(value) if value is not None else None


def res_fee_row(source, customer, statistic_type) -> dict:
    """ResFeeRecordV2 (资源消费记录)."""
    c = _resource_common(source, customer, statistic_type)
    period = _period(c["period_type"])
    return {
        "bill_date": c["bill_date"], "bill_type": c["bill_type"], "customer_id": c["customer_id"],
        "account_name": c["account_name"], "region": c["region"], "region_name": name_of_region(c["region"]) or None,
        "cloud_service_type": c["service"], "cloud_service_type_name": name_of_service_type(c["service"]),
        "resource_type": c["resource"], "resource_type_name": name_of_resource_type(c["resource"]) or None,
        "effective_time": c["effective_time"], "expire_time": c["expire_time"], "resource_id": c["resource_id"],
        "resource_name": c["resource_name"], "resource_tag": "", "product_id": c["product_id"],
        "product_name": c["product_name"], "product_spec_desc": c["product_spec_desc"], "sku_code": c["sku_code"],
        "spec_size": None, "spec_size_measure_id": None, "trade_id": c["trade_id"], "id": c["id"],
        "trade_time": c["trade_time"], **_project(), "charge_mode": str(c["charging_mode"]),
        "order_id": c["trade_id"] if c["charging_mode"] == ChargeMode.PERIOD else None,
        "period_type": str(period) if period else None, "usage_type": c["usage_type"], "usage": c["usage"],
        "usage_measure_id": c["usage_measure_id"], "free_resource_usage": c["free_resource_usage"],
        "free_resource_measure_id": c["usage_measure_id"] if c["free_resource_usage"] else None,
        "ri_usage": None, "ri_usage_measure_id": None, "unit_price": None, "unit": None, "formula": None,
        **c["payments"], "amount": c["amount"], "stored_card_amount": ZERO, "adjustment_amount": c["writeoff"],
        "measure_id": 1, "consume_time": c["consume_time"], "relative_order_id": None, "period_num": c["period_num"],
    }


def res_record_row(source, customer, statistic_type) -> dict:
    """MonthlyBillRes (资源详单)."""
    c = _resource_common(source, customer, statistic_type)
    detail = statistic_type == 3
    return {
        "cycle": c["cycle"], "bill_date": c["bill_date"] if statistic_type == 2 else None, "bill_type": c["bill_type"],
        "customer_id": c["customer_id"], "account_name": c["account_name"], "region": c["region"],
        "region_name": name_of_region(c["region"]) or None, "cloud_service_type": c["service"],
        "cloud_service_type_name": name_of_service_type(c["service"]), "resource_Type_code": c["resource"],
        "resource_type_name": name_of_resource_type(c["resource"]) or None, "res_instance_id": c["resource_id"],
        "resource_name": c["resource_name"], "resource_tag": "", "sku_code": c["sku_code"], **_project(),
        "charge_mode": c["charging_mode"], **c["payments"], "consume_amount": c["amount"], "stored_card_amount": ZERO,
        "adjustment_amount": c["writeoff"], "measure_id": 1, "period_type": _period(c["period_type"]),
        "root_resource_id": None, "parent_resource_id": None, "trade_id": c["trade_id"], "id": c["id"],
        "product_spec_desc": c["product_spec_desc"], "pre_order_id": None, "az_code_infos": [],
        "payer_account_id": c["customer_id"], "effective_time": c["effective_time"] if detail else None,
        "expire_time": c["expire_time"] if detail else None, "consume_time": c["consume_time"] if detail else None,
        "be_id": None, "extend_params": None, "period_num": c["period_num"], "is_spot": "N" if detail else None,
        "promotion_type": None, "payment_type": None,
    }


# ---------------------------------------------------------------------------------------------
# 95 billing (95计费)
# ---------------------------------------------------------------------------------------------

def usage_points(actor, data):
    """The customer's usage records of one 95-billed usage type in the cycle."""
    customer = customer_of(actor)
    if customer is None:
        return UsageRecord.objects.none()
    start, end = cycle_bounds(data["bill_cycle"])
    return UsageRecord.objects.filter(
        customer=customer, service_type_code=data["service_type_code"], resource_type_code=data["resource_type_code"],
        usage_type_code=data["usage_type"], begin_time__gte=start, begin_time__lt=end)


def no_band_width() -> dict:
    return {"actual_days": None, "band_width": None, "monthly_guaranteed_band_width": None,
            "monthly_peak_band_width": None, "band_width_measure_id": None}


def band_widths(points, cycle) -> dict[str, dict]:
    """{resource id: figures}: the effective days (reported time / a day) and, once the month is over, the
    billed bandwidth — the 95th percentile: the points sorted from the highest, the top 5% dropped, the next
    one — and the peak for the enhanced type (95peak_plus). One statement."""
    by_resource: dict[str, list] = {}
    for resource_id, amount, begin, end, measure, usage_type in points.order_by().values_list(
            "resource_id", "usage_amount", "begin_time", "end_time", "usage_measure_id", "usage_type_code"):
        by_resource.setdefault(resource_id, []).append((amount, (end - begin).total_seconds(), measure, usage_type))
    over = cycle < current_cycle()
    result = {}
    for resource_id, found in by_resource.items():
        figures = no_band_width()
        days = Decimal(str(sum(seconds for _, seconds, _m, _t in found))) / Decimal(86400)
        figures["actual_days"] = plain(days.quantize(DAYS_PRECISION))  # 精度最高返回小数点后20位
        if over:
            amounts = sorted((amount for amount, *_rest in found), reverse=True)
            figures["band_width"] = plain(amounts[min(len(amounts) // 20, len(amounts) - 1)])
            figures["band_width_measure_id"] = found[0][2]
            if found[0][3] == "95peak_plus":
                figures["monthly_peak_band_width"] = plain(amounts[0])
        result[resource_id] = figures
    return result


# ---------------------------------------------------------------------------------------------
# Resource packages (资源包)
# ---------------------------------------------------------------------------------------------

def package_row(package, now) -> dict:
    """FreeResourcePackageV3, with its one resource item."""
    product = package.product
    return {
        "order_instance_id": package.order_instance_id, "order_id": package.order_id or None,
        "product_id": product.product_id, "product_name": product.spec_display, "enterprise_project_id": DEFAULT_PROJECT,
        "enterprise_project_scope": 0, "effective_time": wire(package.effective_time),
        "expire_time": wire(package.expire_time), "status": package.live_status,
        "service_type_code": product.service_type.code, "service_type_name": product.service_type.display_name,
        "region_code": package.region.code, "source_type": 0, "bundle_type": "ATOMIC_PKG",
        "quota_reuse_mode": package.reset,
        "free_resources": [{"free_resource_id": package.order_instance_id,
                            "usage_type_name": package.usage_type.display_name,
                            "amount": plain(current_remaining(package, now)),
                            "original_amount": plain(package.original_amount), "measure_id": package.measure_id}],
    }


def package_usage_row(package, now) -> dict:
    """FreeResourceDetail: the resource item's current quota cycle."""
    start, end = current_window(package, now)
    resettable = package.reset == PackageReset.RESETTABLE
    natural = package.cycle_start.astimezone(SHANGHAI).day == 1 and package.cycle_start.astimezone(SHANGHAI).hour == 0
    return {
        "free_resource_id": package.order_instance_id, "free_resource_type_name": package.usage_type.display_name,
        "quota_reuse_cycle": MONTHLY_CYCLE if resettable else None,
        "quota_reuse_cycle_type": (NATURAL if natural else BY_ORDER) if resettable else None,
        "usage_type_name": package.usage_type.display_name, "start_time": wire(start), "end_time": wire(end),
        "amount": current_remaining(package, now), "original_amount": package.original_amount,
        "measure_id": package.measure_id,
    }


def package_use_row(use) -> dict:
    """FreeResourceRecord (资源包使用明细)."""
    package, fee = use.package, use.fee_record
    return {
        "deduct_time": wire(use.deduct_time), "free_resource_id": package.order_instance_id,
        "resource_id": use.resource_id, "resource_type_code": fee.resource_type.code if fee.resource_type else None,
        "resource_type_name": fee.resource_type.display_name if fee.resource_type else None, "resource_tag": "",
        "product_id": package.product.product_id, "product_name": package.product.spec_display,
        "usage_type_code": package.usage_type.code, "available_amount": plain(use.available_before),
        "remaining_amount": plain(use.remaining_after), "used_amount": plain(use.used_amount),
        "measure_id": package.measure_id, "effective_time": wire(use.effective_time),
        "expire_time": wire(use.expire_time),
    }


# ---------------------------------------------------------------------------------------------
# Costs (成本)
# ---------------------------------------------------------------------------------------------

def breakdown_row(record, month, customer) -> dict:
    """NvlCostAnalysedBillDetail: the record and its amortised amounts for `month`."""
    return {
        "shared_month": month, "bill_cycle": record.bill_cycle, "bill_type": record.bill_type,
        "customer_id": customer.domain_id, "region_code": record.region.code if record.region else None,
        "region_name": record.region.display_name if record.region else None,
        "service_type_code": record.service_type.code, "service_type_name": record.service_type.display_name,
        "resource_type_code": record.resource_type.code if record.resource_type else None,
        "resource_type_name": record.resource_type.display_name if record.resource_type else None,
        "effective_time": wire(record.effective_time), "expire_time": wire(record.expire_time),
        "resource_id": record.resource_id, "resource_name": record.resource_name, "resource_tag": "",
        "product_spec_desc": record.product_spec_desc, **_project(), "charging_mode": record.charging_mode,
        "order_id": record.trade_id if record.charging_mode == ChargeMode.PERIOD else None,
        "period_type": _period(record.period_type), "usage_type": record.usage_type.code if record.usage_type else None,
        "usage": record.usage_amount, "usage_measure_id": record.usage_measure_id,
        "free_resource_usage": record.free_resource_usage,
        "free_resource_measure_id": record.usage_measure_id if record.free_resource_usage else None,
        "ri_usage": None, "ri_usage_measure_id": None, "effective_tag_pairs": [], "cost_unit_pairs": [],
        **customer_costs.month_breakdown(record, month),
    }


def cost_row(group, measure) -> dict:
    """CostDataByDimension."""
    return {
        "dimensions": [{"key": key, "value": value} for key, value in group["dimensions"]],
        "costs": [{"time_dimension_value": bucket, "time_measure_id": measure, "amount": f"{amount:.2f}",
                   "official_amount": f"{official:.2f}"} for bucket, amount, official in group["costs"]],
        "amount_by_costs": f"{group['amount']:.2f}", "official_amount_by_costs": f"{group['official']:.2f}",
    }

