"""CBC endpoints of the customer's own bills, for the customer's own access key: a partner's or the platform's
key is refused (CBC.0151), as Huawei opens these to customers only (客户在自建平台查询…).

Thin: parse the wire (customer_serializers.py, the official SDK's models), read through
bills.customer_selectors and bills.customer_filters (the FilterSets of the fee-center pages), page with
offset/limit, render the rows (customer_rows.py).

Documented validation, each a CBC error:
- a parameter the serializer refuses (a cycle not YYYY-MM, an unknown enum value, a limit above 1000, a
  missing required one) — CBC.0100;
- `method=sub_customer` without `sub_customer_id` — CBC.0100; with one — CBC.0156: the partner center has
  no enterprise sub-accounts, so no id names one of the caller's (a `payer_account_id` other than the
  caller's own likewise);
- `bill_date_begin`/`bill_date_end` (or `bill_cycle_begin`/`bill_cycle_end`) outside the cycle's month or in
  the wrong order — CBC.99009046 (given alone, one of them is ignored, as Huawei documents);
- `query_type=DAILY` with `statistic_type` 1, or without both of its dates — CBC.0100;
- resource records before 2019-01, a monthly cost outside the last 18 months — CBC.99009045;
- free-resource deductions over more than 90 days, a cost query over more than 366 days or 18 months —
  CBC.99009047.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page, page_rows
from partnercenter.api.permissions import IsCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.errors import Codes, DomainError

from .. import customer_costs, customer_selectors as selectors
from ..customer_filters import FeeRecordFilter, PackageFilter, PackageUseFilter, ResourceRecordFilter
from ..errors import BillCodes
from ..periods import cycle_bounds, is_cycle
from . import customer_rows as rows
from .customer_serializers import (
    FeeRecordsQuery, FreeResourceRecordsQuery, FreeResourcesReq, FreeResourceUsagesReq, ListCostsReq,
    ListCostsResponse, ListCustomerBillsFeeRecordsResponse, ListCustomerBillsMonthlyBreakDownResponse,
    ListCustomerselfResourceRecordDetailsResponse, ListCustomerselfResourceRecordsResponse,
    ListFreeResourceInfosResponse, ListFreeResourcesUsageRecordsResponse, ListFreeResourceUsagesResponse,
    ListResourceUsageResponse, ListResourceUsageSummaryResponse, MonthlyBreakdownQuery, MonthlySumQuery,
    ResFeeRecordsQuery, ResRecordsReq, ShowCustomerMonthlySumResponse, UsageDetailsQuery, UsageSummaryQuery,
)

__all__ = ["MonthlySumApi", "FeeRecordsApi", "ResFeeRecordsApi", "ResRecordsApi", "UsageSummaryApi", "UsageDetailsApi",
           "FreeResourcesApi", "FreeResourceUsagesApi", "FreeResourceRecordsApi", "MonthlyBreakdownApi", "CostsApi"]

CURRENCY = "CNY"
X_LANGUAGE = OpenApiParameter("X-Language", str, OpenApiParameter.HEADER, required=False,
                              description="zh_CN (names in Chinese) or en_US.")
FIRST_RECORDS_CYCLE = "2019-01"  # 不支持2019年1月份之前的资源详单
COST_MONTHS = 18                 # 当前仅支持查询近18个月的摊销成本
DEDUCTION_DAYS = 90              # 抵扣结束时间-抵扣起始时间<=90天
COST_DAYS, COST_CYCLES = 366, 18


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _query(request) -> dict:
    return request.query_params.dict()


def _own_scope(data, *, payer=None, customer=None):
    """`method`/`sub_customer_id` (and `payer_account_id`): the caller's own records or nothing at all."""
    if data.get("method") == "sub_customer":
        if not data.get("sub_customer_id"):
            raise DomainError(Codes.PARAMETER, _("sub_customer_id is required when method is sub_customer."))
        raise DomainError(Codes.NOT_FOUND, _("The enterprise sub-customer does not exist."))
    if payer and customer is not None and payer != customer.domain_id:
        raise DomainError(Codes.NOT_FOUND, _("The payer account does not exist."))


def _dates_in_cycle(cycle, first, last, *, required=False):
    """Both dates (else none, unless `required`) within the cycle's month, in order."""
    if first is None or last is None:
        if required:
            raise DomainError(Codes.PARAMETER, _("Both dates of the range are required."))
        return None, None
    start, end = cycle_bounds(cycle)
    if not (start.date() <= first <= last < end.date()):
        raise DomainError(BillCodes.DATES_OUTSIDE_CYCLE)
    return first, last


def _with_dates(data, first, last, names=("bill_date_begin", "bill_date_end")):
    data = {key: value for key, value in data.items() if key not in names}
    if first is not None:
        data.update({names[0]: first, names[1]: last})
    return data


class _CustomerApi(APIView):
    """The customer's own bills: customer keys only."""

    permission_classes = [IsCustomer]
    required_permission = None  # no partner right governs it: a partner's or the platform's key is refused


class MonthlySumApi(_CustomerApi):
    """GET /v2/bills/customer-bills/monthly-sum — 查询汇总账单: the month's sums per service type, resource
    type, charging mode and kind (1 consumption, 2 refund, 3 adjustment), and the month's totals. A closed
    month reads its monthly sums, an open one its fee records; both give the same figures."""

    @extend_schema(parameters=[MonthlySumQuery], responses=cbc_responses(ShowCustomerMonthlySumResponse),
                   operation_id="show_customer_monthly_sum")
    def get(self, request):
        actor = request.auth
        data = _valid(MonthlySumQuery, _query(request))
        _own_scope(data)
        if data.get("enterprise_project_id") not in (None, "", rows.DEFAULT_PROJECT):
            sums = selectors.monthly_sums(None, data["bill_cycle"])  # another project: nothing
        else:
            sums = selectors.monthly_sums(actor, data["bill_cycle"], service_type_code=data.get("service_type_code"))
        count, found = page(sums.rows, data)
        return Response({"total_count": count, **rows.money_totals(sums.totals), "measure_id": 1,
                         "currency": CURRENCY,
                         "bill_sums": [rows.sum_row(row, sums.cycle, actor.customer) for row in found]})


class FeeRecordsApi(_CustomerApi):
    """GET /v2/bills/customer-bills/fee-records — 查询流水账单: the month's fee records, newest first."""

    @extend_schema(parameters=[X_LANGUAGE, FeeRecordsQuery], responses=cbc_responses(ListCustomerBillsFeeRecordsResponse),
                   operation_id="list_customer_bills_fee_records")
    def get(self, request):
        actor = request.auth
        data = _valid(FeeRecordsQuery, _query(request))
        _own_scope(data)
        first, last = _dates_in_cycle(data["bill_cycle"], data.get("bill_date_begin"), data.get("bill_date_end"))
        queryset = selectors.fee_records_for(actor).filter(bill_cycle=data["bill_cycle"])
        queryset = FeeRecordFilter.from_wire(_with_dates(data, first, last), queryset)
        count, found = page(queryset, data)
        return Response({"total_count": count, "currency": CURRENCY,
                         "records": [rows.fee_record_row(record, actor.customer) for record in found]})


def _resource_records(actor, data, *, statistic_type, first, last, empty_matches):
    queryset = selectors.fee_records_for(actor).filter(bill_cycle=data["cycle"])
    if statistic_type == selectors.BY_CYCLE:
        first = last = None  # 按账期类型统计时字段不生效
    queryset = ResourceRecordFilter.from_wire(_with_dates(data, first, last), queryset, empty_matches=empty_matches)
    return selectors.resource_records(queryset, statistic_type)


class ResFeeRecordsApi(_CustomerApi):
    """GET /v2/bills/customer-bills/res-fee-records — 查询资源消费记录: per resource, summed over the cycle (1)
    or per day (2), or each fee record (3, the default)."""

    EMPTY_MATCHES = ("cloud_service_type", "region", "resource_id", "enterprise_project_id", "trade_id")

    @extend_schema(parameters=[X_LANGUAGE, ResFeeRecordsQuery],
                   responses=cbc_responses(ListCustomerselfResourceRecordsResponse),
                   operation_id="list_customerself_resource_records")
    def get(self, request):
        actor = request.auth
        data = _valid(ResFeeRecordsQuery, _query(request))
        _own_scope(data)
        statistic_type = data.get("statistic_type") or selectors.DETAIL
        first, last = _dates_in_cycle(data["cycle"], data.get("bill_date_begin"), data.get("bill_date_end"))
        if data.get("charge_mode"):
            data["charge_mode"] = int(data["charge_mode"])
        queryset = _resource_records(actor, data, statistic_type=statistic_type, first=first, last=last,
                                     empty_matches=self.EMPTY_MATCHES)
        count, found = page(queryset, data)
        return Response({"total_count": count, "currency": CURRENCY, "fee_records": [
            rows.res_fee_row(row, actor.customer, statistic_type) for row in found]})


class ResRecordsApi(_CustomerApi):
    """POST /v2/bills/customer-bills/res-records/query — 查询资源详单: per resource by cycle (1, the default) or by
    day (2), or in detail (3); `query_type=DAILY` narrows to the days from `bill_cycle_begin` to
    `bill_cycle_end` of the cycle."""

    @extend_schema(parameters=[X_LANGUAGE], request=ResRecordsReq,
                   responses=cbc_responses(ListCustomerselfResourceRecordDetailsResponse),
                   operation_id="list_customerself_resource_record_details")
    def post(self, request):
        actor = request.auth
        data = _valid(ResRecordsReq, request.data)
        _own_scope(data, payer=data.get("payer_account_id"), customer=actor.customer)
        if data["cycle"] < FIRST_RECORDS_CYCLE:
            raise DomainError(BillCodes.MONTH_NOT_QUERYABLE)
        statistic_type = data.get("statistic_type") or selectors.BY_CYCLE
        first = last = None
        if (data.get("query_type") or "BILLCYCLE") == "DAILY":
            if statistic_type == selectors.BY_CYCLE:
                raise DomainError(Codes.PARAMETER, _("query_type DAILY needs statistic_type 2 or 3."))
            first, last = _dates_in_cycle(data["cycle"], data.get("bill_cycle_begin"), data.get("bill_cycle_end"),
                                          required=True)
        queryset = _resource_records(actor, data, statistic_type=statistic_type, first=first, last=last,
                                     empty_matches=())
        count, found = page(queryset, data)
        return Response({"total_count": count, "currency": CURRENCY, "monthly_records": [
            rows.res_record_row(row, actor.customer, statistic_type) for row in found]})


class UsageSummaryApi(_CustomerApi):
    """GET /v2/bills/customer-bills/resources/usage/summary — 查询95计费资源用量汇总: per resource of the 95-billed
    usage types, its effective days and, for a past month, its billed bandwidth (the 95th percentile)."""

    @extend_schema(parameters=[X_LANGUAGE, UsageSummaryQuery], responses=cbc_responses(ListResourceUsageSummaryResponse),
                   operation_id="list_resource_usage_summary")
    def get(self, request):
        data = _valid(UsageSummaryQuery, _query(request))
        points = rows.usage_points(request.auth, data)
        resources = points.order_by().values_list("resource_id", flat=True).distinct().order_by("resource_id")
        count, ids = page(resources, data)
        summaries = rows.band_widths(points.filter(resource_id__in=ids), data["bill_cycle"])
        return Response({"total_count": count, "summary_usage_info_list": [
            {"resource_id": resource_id, **summaries.get(resource_id, {})} for resource_id in ids]})


class UsageDetailsApi(_CustomerApi):
    """GET /v2/bills/customer-bills/resources/usage/details — 查询95计费资源用量明细: one resource's usage points."""

    @extend_schema(parameters=[X_LANGUAGE, UsageDetailsQuery], responses=cbc_responses(ListResourceUsageResponse),
                   operation_id="list_resource_usage")
    def get(self, request):
        data = _valid(UsageDetailsQuery, _query(request))
        points = rows.usage_points(request.auth, data).filter(resource_id=data["resource_id"])
        count, found = page(points.order_by("begin_time", "id"), data)
        summary = rows.band_widths(points, data["bill_cycle"]).get(data["resource_id"], rows.no_band_width())
        return Response({**summary, "total_count": count, "usage_info_list": [
            {"stat_time": rows.wire(point.begin_time), "guaranteed_band_width": None, "usage": rows.plain(point.usage_amount),
             "measure_id": point.usage_measure_id} for point in found]})


class FreeResourcesApi(_CustomerApi):
    """POST /v3/payments/free-resources/query — 查询资源包列表: each package with its one resource item (a package
    covers one usage type; the item's id is the package's `order_instance_id`)."""

    @extend_schema(parameters=[X_LANGUAGE], request=FreeResourcesReq, responses=cbc_responses(ListFreeResourceInfosResponse),
                   operation_id="list_free_resource_infos")
    def post(self, request):
        data = _valid(FreeResourcesReq, request.data)
        now = timezone.now()
        queryset = PackageFilter.from_wire(data, selectors.packages_for(request.auth, now=now))
        count, found = page(queryset, data)
        return Response({"total_count": count,
                         "free_resource_packages": [rows.package_row(package, now) for package in found]})


class FreeResourceUsagesApi(_CustomerApi):
    """POST /v2/payments/free-resources/usages/details/query — 查询资源包使用量: the current quota cycle of each
    named resource item; ids of no package of the caller are left out."""

    @extend_schema(parameters=[X_LANGUAGE], request=FreeResourceUsagesReq,
                   responses=cbc_responses(ListFreeResourceUsagesResponse), operation_id="list_free_resource_usages")
    def post(self, request):
        data = _valid(FreeResourceUsagesReq, request.data)
        now = timezone.now()
        packages = selectors.packages_for(request.auth, now=now).filter(order_instance_id__in=data["free_resource_ids"])
        return Response({"free_resources": [rows.package_usage_row(package, now) for package in packages]})


class FreeResourceRecordsApi(_CustomerApi):
    """GET /v2/bills/customer-bills/free-resources-usage-records — 查询资源包使用明细: what the packages paid of
    which usage, between two Asia/Shanghai days at most 90 days apart, newest first."""

    @extend_schema(parameters=[FreeResourceRecordsQuery], responses=cbc_responses(ListFreeResourcesUsageRecordsResponse),
                   operation_id="list_free_resources_usage_records")
    def get(self, request):
        data = _valid(FreeResourceRecordsQuery, _query(request))
        if data["deduct_time_begin"] > data["deduct_time_end"]:
            raise DomainError(Codes.PARAMETER, _("deduct_time_begin must not be after deduct_time_end."))
        if (data["deduct_time_end"] - data["deduct_time_begin"]).days > DEDUCTION_DAYS:
            raise DomainError(BillCodes.RANGE_TOO_LONG)
        queryset = PackageUseFilter.from_wire(data, selectors.package_uses_for(request.auth))
        count, found = page(queryset, data)
        return Response({"total_count": count, "free_resource_records": [rows.package_use_row(use) for use in found]})


class MonthlyBreakdownApi(_CustomerApi):
    """GET /v2/costs/cost-analysed-bills/monthly-breakdown — 查询月度成本: the month's amortised cost per fee
    record (the rule: bills.customer_costs), for the last 18 months."""

    @extend_schema(parameters=[X_LANGUAGE, MonthlyBreakdownQuery],
                   responses=cbc_responses(ListCustomerBillsMonthlyBreakDownResponse),
                   operation_id="list_customer_bills_monthly_break_down")
    def get(self, request):
        actor = request.auth
        data = _valid(MonthlyBreakdownQuery, _query(request))
        _own_scope(data)
        month = data["shared_month"]
        if month not in selectors.last_cycles(COST_MONTHS):
            raise DomainError(BillCodes.MONTH_NOT_QUERYABLE)
        queryset = customer_costs.breakdown_records(selectors.fee_records_for(actor), month)
        queryset = FeeRecordFilter.from_wire(data, queryset, empty_matches=("service_type_code", "resource_type_code"))
        if data.get("resource_name"):
            queryset = queryset.filter(resource_name=data["resource_name"])
        count, found = page(queryset, data)
        return Response({"currency": CURRENCY, "total_count": count,
                         "details": [rows.breakdown_row(record, month, actor.customer) for record in found]})


def _time_range(condition):
    """(measure, begin, end) of a TimeCondition: days (1, the default) or months (2)."""
    measure = condition.get("time_measure_id") or customer_costs.DAY
    begin, end = condition["begin_time"], condition["end_time"]
    if measure == customer_costs.MONTH:
        if not (is_cycle(begin) and is_cycle(end)):
            raise DomainError(Codes.PARAMETER, _("time_condition: use the format YYYY-MM."))
        if begin > end:
            raise DomainError(Codes.PARAMETER, _("time_condition: begin_time must not be after end_time."))
        months = (int(end[:4]) - int(begin[:4])) * 12 + int(end[5:]) - int(begin[5:])
        if months >= COST_CYCLES:
            raise DomainError(BillCodes.RANGE_TOO_LONG)
        return measure, begin, end
    try:
        first, last = (datetime.strptime(value, "%Y-%m-%d").date() for value in (begin, end))
    except ValueError:
        raise DomainError(Codes.PARAMETER, _("time_condition: use the format YYYY-MM-DD.")) from None
    if first > last:
        raise DomainError(Codes.PARAMETER, _("time_condition: begin_time must not be after end_time."))
    if not (2000 <= first.year and last.year <= 2998):
        raise DomainError(Codes.PARAMETER, _("time_condition: use a date of the years 2000 to 2998."))
    if (last - first).days >= COST_DAYS:
        raise DomainError(BillCodes.RANGE_TOO_LONG)
    return measure, first, last


class CostsApi(_CustomerApi):
    """POST /v4/costs/cost-analysed-bills/query — 查询成本数据: the costs per combination of the `groupby`
    dimensions, by day or month, original or amortised (the rule: bills.customer_costs), amount due or net of
    coupons, largest first. Tags and cost units: none are kept here, so each groups as one empty value."""

    @extend_schema(parameters=[X_LANGUAGE], request=ListCostsReq, responses=cbc_responses(ListCostsResponse),
                   operation_id="list_costs")
    def post(self, request):
        actor = request.auth
        data = _valid(ListCostsReq, request.data)
        measure, begin, end = _time_range(data["time_condition"])
        groupby = [(group.get("type") or "dimension", group["key"]) for group in data.get("groupby") or ()]
        filters = [(factor["key"], factor.get("value") or [], item.get("operator") == 1)
                   for item in data.get("filters") or () if item.get("operator") is not None
                   for factor in [item.get("filter_factor")] if factor]
        try:
            groups = customer_costs.cost_groups(
                selectors.fee_records_for(actor), actor.customer, measure=measure, begin=begin, end=end,
                groupby=groupby, amortized=data.get("cost_type") == "AMORTIZED_COST",
                net=data.get("amount_type") == "NET_AMOUNT", filters=filters)
        except ValueError:  # a CHARGING_MODE / BILL_TYPE filter value that is not a number
            raise DomainError(Codes.PARAMETER, _("filters: CHARGING_MODE and BILL_TYPE take numbers.")) from None
        found = page_rows(groups, data)
        return Response({"currency": CURRENCY, "total_count": len(groups),
                         "cost_data": [rows.cost_row(group, measure) for group in found]})

