"""CBC rating endpoints (询价): what products cost, from trade.pricing alone.

- `POST /v2/bills/ratings/on-demand-resources` — 查询按需产品价格: each product's official price for a usage
  (per hour, per GB …) and, with the customer's partner discount (607) applied, its amount and discount rows.
- `POST /v2/bills/ratings/period-resources/subscribe-rate` — 查询包年/包月产品价格: official prices, and per
  discount the customer may use an optional result (`optional_discount_rating_results`, `best_offer` = 1 for
  the largest discount).
- `POST /v2/bills/ratings/period-resources/renew-rate` — 查询待续订包年包月资源的续订金额: the customer's
  period resources (main resources only; `include_relative_resources` adds their subordinates) renewed for
  a number of months or years; what cannot be rated is listed in `fail_resource_infos`.

**Who rates for whom.** A customer's key rates for that customer: its partner discounts apply. A partner's
key (holding orders.place, orders.view or discounts.manage) rates at the official price, unless the body
names one of the partner's customers in `customer_id` (our extension; the member must see the customer,
as on 我的客户) — then as that customer would; renew-rate rates the resources of the customers the key sees,
each with its own customer's discount. A customer the caller cannot see is CBC.0156, as a made-up id is.
`project_id` is accepted and ignored (one price per region here).

**Precision.** Results are truncated (截取), never rounded: at 6 decimals (`inquiry_precision` 0, the
default, and the period endpoints) or at 10 (`inquiry_precision` 1); trailing zeros beyond the fen are
dropped. Numbers are written exactly as decimals (never through a float); renew-rate's amounts are strings,
as Huawei's model types them. What an order costs is quantized to the fen by trade.pricing's rule — and
renew-rate, the price of the renewal order placed now, answers each line so (LineRating.in_fen, as the
order and the renewal pages quantize it), so its amounts are the order's to the fen.

**Errors.** CBC.0100 a malformed request (a linear product without its size, a repeated item id, more than
100 items or 10 resources); CBC.99006006 product not found; CBC.99006050 wrong usage unit; CBC.30050008 no
such period type or number (subscribe-rate: the request fails, HTTP 400; renew-rate: per resource, with
CBC.30050007 not a main resource, CBC.0156 not found and CBC.99006006 no product, in fail_resource_infos).

**Renewals moved on by a higher app.** What a renewal order charges can be more than whole periods: the
customer's unified expiry day (续费后资源统一到期日, subscriptions/renewal.py) adds days to each line. trade
imports nothing above it (ARCHITECTURE.md rule 11), so that app registers how it moves a rating
(`register_renewal_adjuster`, from its AppConfig.ready()) and renew-rate applies it: the rate answered is
what the renewal order placed now would charge.

**Cost.** One statement reads every product of a request, one every price, one the partner discounts (and
one the unit conversions when a unit needs converting): a 100-item request costs about what a 1-item one does.
"""

import re
import secrets
from decimal import Decimal

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.choices import ChargeMode
from customers.selectors import customer_for, customers_for
from customers.models import Resource
from partnercenter.api.errors import error_body
from partnercenter.api.permissions import IsPartnerOrCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.errors import MESSAGES, Codes, DomainError

from .. import pricing
from ..errors import TradeCodes

__all__ = ["RATING_RIGHTS", "OnDemandRatingApi", "SubscribeRateApi", "RenewRateApi", "register_renewal_adjuster",
           "urlpatterns"]

RATING_RIGHTS = ("orders.place", "orders.view", "discounts.manage")
YUAN = 1  # measure_id of every amount: 元
CURRENCY = "CNY"


# ---------------------------------------------------------------------------------------------
# Exact decimals on the wire
# ---------------------------------------------------------------------------------------------

_MARK = "\ue000" + secrets.token_hex(8) + ":"
_MARKED = re.compile(('"' + re.escape(_MARK) + r'(-?[0-9]+(?:\.[0-9]+)?)"').encode())


def _marked(data):
    if isinstance(data, Decimal):
        return _MARK + format(data, "f")
    if isinstance(data, dict):
        return {key: _marked(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_marked(value) for value in data]
    return data


class ExactJSONRenderer(JSONRenderer):
    """JSON whose Decimals are written as the exact numbers they are (DRF writes them through float,
    which keeps 15–17 significant digits: 123456789.0123456789 would lose its tail). Each Decimal travels
    as a string with an unguessable private-use prefix, which the rendered bytes then unquote."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rendered = super().render(_marked(data), accepted_media_type, renderer_context)
        return _MARKED.sub(rb"\1", rendered)


_SHOWN: dict = {}  # (value, places) → shown: prices repeat across requests and items; bounded


def _shown(value: Decimal, places: int) -> Decimal:
    """A rating result as shown: truncated at `places` decimals, trailing zeros beyond the fen dropped."""
    key = (value, places)
    shown = _SHOWN.get(key)
    if shown is None:
        text = format(pricing.truncate(value, places), "f")
        whole, _dot, fraction = text.partition(".")
        shown = Decimal(f"{whole}.{fraction.rstrip('0').ljust(2, '0')}")
        if len(_SHOWN) > 10_000:
            _SHOWN.clear()
        _SHOWN[key] = shown
    return shown


# ---------------------------------------------------------------------------------------------
# Wire shapes (the official SDK's models); the views read the body themselves (see _body)
# ---------------------------------------------------------------------------------------------

class _Product(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    cloud_service_type = serializers.CharField(max_length=64)
    resource_type = serializers.CharField(max_length=64)
    resource_spec = serializers.CharField(max_length=64)
    region = serializers.CharField(max_length=64)
    available_zone = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    resource_size = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                             help_text="Required for a linear product (a disk, a bandwidth).")
    size_measure_id = serializers.IntegerField(required=False, allow_null=True,
                                               help_text="15 Mbps, 17 GB, 14 个: required for a linear product.")
    subscription_num = serializers.IntegerField(min_value=1, max_value=pricing.MAX_QUANTITY)


class DemandProductInfo(_Product):
    usage_factor = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    usage_value = serializers.DecimalField(max_digits=22, decimal_places=10, coerce_to_string=False)
    usage_measure_id = serializers.IntegerField()


class PeriodProductInfo(_Product):
    period_type = serializers.IntegerField(help_text="0 day, 2 month, 3 year, 4 hour")
    period_num = serializers.IntegerField(min_value=1)
    fee_installment_mode = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class _RatingReq(serializers.Serializer):
    customer_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True,
        help_text="Extension for partner keys: rate as this customer of yours would (its partner discount).")


class RateOnDemandReq(_RatingReq):
    inquiry_precision = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1)
    product_infos = DemandProductInfo(many=True)


class RateOnPeriodReq(_RatingReq):
    product_infos = PeriodProductInfo(many=True)


class ListRenewRateOnPeriodReq(serializers.Serializer):
    resource_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1,
                                         max_length=pricing.MAX_RENEWAL_RESOURCES)
    period_type = serializers.IntegerField(help_text="2 month, 3 year")
    period_num = serializers.IntegerField(help_text="month 1–11, year 1–3")
    include_relative_resources = serializers.BooleanField(required=False, allow_null=True)


def _number():
    return serializers.DecimalField(max_digits=30, decimal_places=10, coerce_to_string=False)


class DemandDiscountRatingResult(serializers.Serializer):
    discount_id = serializers.CharField()
    discount_type = serializers.IntegerField()
    amount = _number()
    measure_id = serializers.IntegerField()
    discount_name = serializers.CharField()


class DemandProductRatingResult(serializers.Serializer):
    id = serializers.CharField()
    product_id = serializers.CharField()
    amount = _number()
    discount_amount = _number()
    official_website_amount = _number()
    measure_id = serializers.IntegerField()
    discount_rating_results = DemandDiscountRatingResult(many=True)


class ListOnDemandResourceRatingsResponse(serializers.Serializer):
    amount = _number()
    discount_amount = _number()
    official_website_amount = _number()
    measure_id = serializers.IntegerField()
    currency = serializers.CharField()
    product_rating_results = DemandProductRatingResult(many=True)


class PeriodProductOfficialRatingResult(serializers.Serializer):
    id = serializers.CharField()
    product_id = serializers.CharField()
    official_website_amount = _number()
    measure_id = serializers.IntegerField()


class OfficialWebsiteRatingResult(serializers.Serializer):
    official_website_amount = _number()
    measure_id = serializers.IntegerField()
    product_rating_results = PeriodProductOfficialRatingResult(many=True)


class PeriodProductRatingResult(PeriodProductOfficialRatingResult):
    amount = _number()
    discount_amount = _number()


class OptionalDiscountRatingResult(serializers.Serializer):
    discount_id = serializers.CharField()
    amount = _number()
    official_website_amount = _number()
    discount_amount = _number()
    measure_id = serializers.IntegerField()
    discount_type = serializers.IntegerField()
    discount_name = serializers.CharField()
    best_offer = serializers.IntegerField()
    product_rating_results = PeriodProductRatingResult(many=True)


class ListRateOnPeriodDetailResponse(serializers.Serializer):
    official_website_rating_result = OfficialWebsiteRatingResult()
    optional_discount_rating_results = OptionalDiscountRatingResult(many=True)
    currency = serializers.CharField()


class RenewInquiryResultInfo(serializers.Serializer):
    resource_id = serializers.CharField()
    amount = serializers.CharField()


class OfficialWebsiteRatingResultV2(serializers.Serializer):
    official_website_amount = serializers.CharField()


class OptionalDiscountRatingResultV2(serializers.Serializer):
    discount_id = serializers.CharField()
    amount = serializers.CharField()
    official_website_amount = serializers.CharField()
    discount_amount = serializers.CharField()
    discount_type = serializers.IntegerField()
    discount_name = serializers.CharField()
    best_offer = serializers.IntegerField()


class FailResourceInfo(serializers.Serializer):
    error_code = serializers.CharField()
    error_msg = serializers.CharField()
    resource_id = serializers.CharField()


class ListRenewRateOnPeriodResponse(serializers.Serializer):
    currency = serializers.CharField()
    renew_inquiry_results = RenewInquiryResultInfo(many=True)
    official_website_rating_result = OfficialWebsiteRatingResultV2()
    optional_discount_rating_results = OptionalDiscountRatingResultV2(many=True)
    fail_resource_infos = FailResourceInfo(many=True)


# ---------------------------------------------------------------------------------------------
# Reading a request
# ---------------------------------------------------------------------------------------------

def _parameter(message) -> DomainError:
    return DomainError(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {message}")


def _body(request) -> dict:
    """The JSON object of the request. The views read it with trade.pricing's own checks rather than the
    serializers above (which document it): a 100-item request stays cheap, and the customer it names is
    looked up before anything else is checked, so another partner's customer and a made-up id get the
    same not-found."""
    data = request.data
    if not isinstance(data, dict):
        raise _parameter(_("The body must be a JSON object."))
    return data


def _rated_customer(actor, data):
    """Whose prices: a customer key's own customer; the customer a partner key names (one it sees), or none."""
    customer_id = data.get("customer_id")
    if customer_id is not None and not isinstance(customer_id, str):
        raise _parameter(_("customer_id must be a string."))
    if actor.is_customer:
        if customer_id and customer_id != actor.customer.domain_id:
            raise DomainError(Codes.NOT_FOUND)
        return actor.customer
    if not customer_id:
        return None
    customer = customer_for(actor, customer_id[:64])
    if customer is None:
        raise DomainError(Codes.NOT_FOUND)
    return customer


def _discount_rows(line, places):
    return [{"discount_id": row.discount_id, "discount_type": row.discount_type, "amount": _shown(row.amount, places),
             "measure_id": YUAN, "discount_name": row.name} for row in line.discounts]


def _totals(lines):
    official = sum((line.official for line in lines), Decimal(0))
    discount = sum((line.discount for line in lines), Decimal(0))
    return official, discount, official - discount


def _options(lines):
    """One optional result per discount (by discount_id) over the whole request; best_offer on the largest
    (the first of equals)."""
    options = {}
    for line in lines:
        for row in line.discounts:
            options.setdefault(row.discount_id, row)
    results = []
    for discount_id, first in options.items():
        per_line = [(line, sum((row.amount for row in line.discounts if row.discount_id == discount_id), Decimal(0)))
                    for line in lines]
        official = sum((line.official for line in lines), Decimal(0))
        discount = sum((amount for _line, amount in per_line), Decimal(0))
        results.append({"discount_id": discount_id, "discount_type": first.discount_type,
                        "discount_name": first.name, "official": official, "discount": discount,
                        "lines": per_line, "best_offer": 0})
    if results:
        max(results, key=lambda option: option["discount"])["best_offer"] = 1
    return results


# ---------------------------------------------------------------------------------------------
# The endpoints
# ---------------------------------------------------------------------------------------------

class _RatingApi(APIView):
    permission_classes = [IsPartnerOrCustomer]
    required_permission = RATING_RIGHTS
    renderer_classes = [ExactJSONRenderer]


class OnDemandRatingApi(_RatingApi):
    """POST /v2/bills/ratings/on-demand-resources — 查询按需产品价格."""

    @extend_schema(request=RateOnDemandReq, responses=cbc_responses(ListOnDemandResourceRatingsResponse),
                   operation_id="list_on_demand_resource_ratings")
    def post(self, request):
        data = _body(request)
        customer = _rated_customer(request.auth, data)
        precision = data.get("inquiry_precision")
        if precision in (None, ""):
            precision = 0
        if isinstance(precision, bool) or not isinstance(precision, int) or precision not in pricing.PRECISION_PLACES:
            raise _parameter(_("inquiry_precision must be 0 or 1."))
        places = pricing.PRECISION_PLACES[precision]
        items = pricing.items_from_wire(data.get("product_infos"), charge_mode=ChargeMode.ON_DEMAND)
        lines = [line.truncated(places) for line in pricing.rate(items, customer=customer)]
        official, discount, amount = _totals(lines)
        return Response({
            "amount": _shown(amount, places), "discount_amount": _shown(discount, places),
            "official_website_amount": _shown(official, places), "measure_id": YUAN, "currency": CURRENCY,
            "product_rating_results": [{
                "id": line.item.id, "product_id": line.item.product.product_id,
                "amount": _shown(line.amount, places), "discount_amount": _shown(line.discount, places),
                "official_website_amount": _shown(line.official, places), "measure_id": YUAN,
                "discount_rating_results": _discount_rows(line, places),
            } for line in lines],
        })


PERIOD_PLACES = pricing.PRECISION_PLACES[0]


class SubscribeRateApi(_RatingApi):
    """POST /v2/bills/ratings/period-resources/subscribe-rate — 查询包年/包月产品价格."""

    @extend_schema(request=RateOnPeriodReq, responses=cbc_responses(ListRateOnPeriodDetailResponse),
                   operation_id="list_rate_on_period_detail")
    def post(self, request):
        data = _body(request)
        customer = _rated_customer(request.auth, data)
        items = pricing.items_from_wire(data.get("product_infos"), charge_mode=ChargeMode.PERIOD)
        try:
            rated = pricing.rate(items, customer=customer)
        except DomainError as exc:
            if exc.code != TradeCodes.NO_SUCH_PERIOD:
                raise
            # Huawei answers CBC.30050008 with HTTP 200 where it is one resource's failure (renew-rate); here
            # the whole request fails, and a client (the SDK) must see an error.
            return Response(error_body(exc.code, exc.message), status=400)
        lines = [line.truncated(PERIOD_PLACES) for line in rated]
        official, _discount, _amount = _totals(lines)
        shown = lambda value: _shown(value, PERIOD_PLACES)  # noqa: E731
        return Response({
            "official_website_rating_result": {
                "official_website_amount": shown(official), "measure_id": YUAN,
                "product_rating_results": [{
                    "id": line.item.id, "product_id": line.item.product.product_id,
                    "official_website_amount": shown(line.official), "measure_id": YUAN} for line in lines],
            },
            "optional_discount_rating_results": [{
                "discount_id": option["discount_id"], "amount": shown(option["official"] - option["discount"]),
                "official_website_amount": shown(option["official"]), "discount_amount": shown(option["discount"]),
                "measure_id": YUAN, "discount_type": option["discount_type"], "discount_name": option["discount_name"],
                "best_offer": option["best_offer"],
                "product_rating_results": [{
                    "id": line.item.id, "product_id": line.item.product.product_id,
                    "amount": shown(line.official - amount), "official_website_amount": shown(line.official),
                    "discount_amount": shown(amount), "measure_id": YUAN} for line, amount in option["lines"]],
            } for option in _options(lines)],
            "currency": CURRENCY,
        })


_RENEWAL_ADJUSTERS: list = []  # see the module's "Renewals moved on by a higher app"


def register_renewal_adjuster(adjust) -> None:
    """`adjust(rating, *, period_type, period_num) -> RenewalRating`: the renewal rating as the renewal order
    will charge it. Registered once however often ready() runs."""
    if adjust not in _RENEWAL_ADJUSTERS:
        _RENEWAL_ADJUSTERS.append(adjust)


def _renewal_request(data):
    ids = data.get("resource_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and 0 < len(i) <= 64 for i in ids):
        raise _parameter(_("resource_ids must list 1 to %(n)d resource IDs.") % {"n": pricing.MAX_RENEWAL_RESOURCES})
    if len(ids) > pricing.MAX_RENEWAL_RESOURCES:
        raise _parameter(_("resource_ids must list 1 to %(n)d resource IDs.") % {"n": pricing.MAX_RENEWAL_RESOURCES})
    period = {}
    for name in ("period_type", "period_num"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**6:
            raise _parameter(_("%(field)s must be an integer.") % {"field": name})
        period[name] = value
    relative = data.get("include_relative_resources")
    if relative in (None, ""):
        relative = False
    if not isinstance(relative, bool):
        raise _parameter(_("include_relative_resources must be true or false."))
    return ids, period, relative


class RenewRateApi(_RatingApi):
    """POST /v2/bills/ratings/period-resources/renew-rate — 查询待续订包年包月资源的续订金额."""

    @extend_schema(request=ListRenewRateOnPeriodReq, responses=cbc_responses(ListRenewRateOnPeriodResponse),
                   operation_id="list_renew_rate_on_period")
    def post(self, request):
        actor = request.auth
        ids, period, relative = _renewal_request(_body(request))
        if actor.is_customer:
            customer, pool = actor.customer, Resource.objects.filter(customer=actor.customer)
        else:
            customer, pool = None, Resource.objects.filter(customer__in=customers_for(actor).values("pk"))
        rating = pricing.rate_renewal(customer, resource_ids=ids, include_relative=relative, resources=pool, **period)
        for adjust in _RENEWAL_ADJUSTERS:
            rating = adjust(rating, **period)
        results = [(result, [line.in_fen() for line in result.lines]) for result in rating.results]
        lines = [line for _result, shown_lines in results for line in shown_lines]
        official, _discount, _amount = _totals(lines)
        text = lambda value: format(_shown(value, PERIOD_PLACES), "f")  # noqa: E731
        return Response({
            "currency": CURRENCY,
            "renew_inquiry_results": [{"resource_id": result.resource.resource_id,
                                       "amount": text(sum((line.amount for line in shown_lines), Decimal(0)))}
                                      for result, shown_lines in results],
            "official_website_rating_result": {"official_website_amount": text(official)},
            "optional_discount_rating_results": [{
                "discount_id": option["discount_id"], "amount": text(option["official"] - option["discount"]),
                "official_website_amount": text(option["official"]), "discount_amount": text(option["discount"]),
                "discount_type": option["discount_type"], "discount_name": option["discount_name"],
                "best_offer": option["best_offer"],
            } for option in _options(lines)],
            "fail_resource_infos": [{"error_code": failure.code, "error_msg": failure.message,
                                     "resource_id": failure.resource_id} for failure in rating.failures],
        })


urlpatterns = [
    path("v2/bills/ratings/on-demand-resources", OnDemandRatingApi.as_view(), name="cbc-rate-on-demand"),
    path("v2/bills/ratings/period-resources/subscribe-rate", SubscribeRateApi.as_view(), name="cbc-rate-subscribe"),
    path("v2/bills/ratings/period-resources/renew-rate", RenewRateApi.as_view(), name="cbc-rate-renew"),
]
