"""Who may join a programme, and which customer account may become a cloud reseller — every documented
reason that applies, computed from the data the project holds.

A partner's own cloud account is the customer account with the partner's account ID (Huawei keeps one
account per company: the partner's 主账号 is also a cloud account). Where that account does not exist here
the account-based reasons cannot apply. The refusal texts are Huawei's (不满足加入计划的原因, 成为云经销商的条件).

A partner whose type is solution provider is in the solution-provider plan by that type (it became a partner
by joining it), with or without a Membership row; a row records its level (the demo's, an approved
application's). So "already in the plan" holds for it as for an open application or membership.

Both checks are pure reads; services call them before a write and again after locking (ARCHITECTURE rule 1).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from billing.models import CustomerAccount
from customers.choices import ChargingMode, OnDemandStatus, PeriodStatus
from customers.models import Association, Customer, Resource
from partnercenter.choices import PartnerStatus, PartnerType
from partnercenter.models import Partner
from trade.choices import OrderStatus
from trade.models import Order, PartnerDiscount
from vouchers.choices import CouponStatus
from vouchers.models import Coupon

from .choices import MembershipStatus, ProgramKind

__all__ = ["Refusal", "AccountFacts", "own_account", "account_facts", "in_solution_provider_plan",
           "join_refusals", "join_refusals_for", "reseller_refusals", "lapsing_benefits", "JOIN", "RESELLER"]


@dataclass(frozen=True)
class Refusal:
    code: str        # a stable key, e.g. "in_arrears"; tests and the page's data-reason use it
    message: str


JOIN = {
    "already_in_plan": _("Your account has joined or is joining the solution provider programme."),
    "sub_customer": _("Your account is a sub-customer of another distributor; ask the partner to end the "
                      "association."),
    "unclosed_resources": _("Your account has resources that are not closed; close them in the console."),
    "frozen": _("Your account is frozen."),
    "in_arrears": _("Your account is in arrears; top up to pay them off."),
    "enterprise": _("Your account has become an enterprise master account or an enterprise member account."),
    "credit_account": _("Your account has a credit account."),
}

RESELLER = {
    "unclosed_resources": _("The account has resources that are not closed."),
    "arrears_or_balance": _("The account is in arrears or its cash account has a balance."),
    "invoiceable": _("The account has an amount that can still be invoiced."),
    "postpaid": _("The account has postpaid enabled."),
    "special_contract": _("The account has signed a special contract with the cloud (offline direct contract, "
                          "telesales discount contract or direct special price)."),
    "distributor_customer": _("The account is a referral or resale customer of a tier-1 distributor."),
    "already_partner": _("The account is already a partner."),
    "not_a_distributor": _("The chosen partner is not an active distributor."),
}

_UNCLOSED = (Q(charging_mode=ChargingMode.ON_DEMAND) & ~Q(status=OnDemandStatus.CLOSED)) | (
    Q(charging_mode=ChargingMode.PERIOD) & ~Q(status=PeriodStatus.CLOSED))
_SELLING = (PartnerType.DISTRIBUTOR, PartnerType.RESELLER)


def own_account(partner) -> Customer | None:
    return Customer.objects.filter(domain_id=partner.domain_id).first()


def _has_unclosed_resources(customer) -> bool:
    return Resource.objects.filter(customer=customer).filter(_UNCLOSED).exists()


def _money_of(customer) -> tuple[Decimal, Decimal]:
    account = CustomerAccount.objects.filter(customer=customer).values_list("balance", "arrears").first()
    return account or (Decimal("0"), Decimal("0"))


def _refusals(table, codes) -> list[Refusal]:
    return [Refusal(code, table[code]) for code in table if code in codes]


@dataclass(frozen=True)
class AccountFacts:
    """What the join reasons read about a partner, whatever the programme: the codes that hold for every
    programme, and whether it is in the solution-provider plan. `account_facts` reads them in at most three
    statements, so a page listing many programmes reads them once (`join_refusals_for`)."""

    codes: frozenset
    in_solution_provider_plan: bool


def in_solution_provider_plan(partner) -> bool:
    """A partner with an application or a membership of a solution-provider programme is in the plan; so is a
    solution provider (its partner type), unless its latest membership there was ended (programs/leaving.py):
    it may then apply again, like any partner that left."""
    rows = partner.program_memberships.filter(program__kind=ProgramKind.SOLUTION_PROVIDER)
    if rows.filter(status__in=[MembershipStatus.APPLYING, MembershipStatus.JOINED]).exists():
        return True
    if partner.partner_type != PartnerType.SOLUTION_PROVIDER:
        return False
    latest = rows.order_by("-applied_at", "-id").values_list("status", flat=True).first()
    return latest != MembershipStatus.LEFT


def account_facts(partner, *, in_plan: bool | None = None) -> AccountFacts:
    """The partner's own cloud account and its standing in one statement (plus the plan, unless the caller
    knows it: `in_plan`)."""
    codes = set()
    if partner.status != PartnerStatus.ACTIVE:
        codes.add("frozen")
    account = Customer.objects.filter(domain_id=partner.domain_id).annotate(
        sub_customer=Exists(Association.objects.filter(
            customer=OuterRef("pk"), ended_on__isnull=True, partner__partner_type__in=_SELLING).exclude(
            partner=partner)),
        unclosed=Exists(Resource.objects.filter(customer=OuterRef("pk")).filter(_UNCLOSED)),
        owed=Subquery(CustomerAccount.objects.filter(customer=OuterRef("pk")).values("arrears")[:1]),
    ).first()
    if account is not None:
        if account.sub_customer:
            codes.add("sub_customer")
        if account.unclosed:
            codes.add("unclosed_resources")
        if account.is_frozen:
            codes.add("frozen")
        if account.in_debt or (account.owed or 0) > 0:
            codes.add("in_arrears")
        if account.is_org_account or account.is_org_member:
            codes.add("enterprise")
        if account.has_credit_debt:
            codes.add("credit_account")
    if in_plan is None:
        in_plan = in_solution_provider_plan(partner)
    return AccountFacts(frozenset(codes), bool(in_plan))


def join_refusals_for(facts: AccountFacts, program) -> list[Refusal]:
    """不满足加入计划的原因 for joining `program`, from facts read once (no statement)."""
    codes = set(facts.codes)
    if program.kind == ProgramKind.SOLUTION_PROVIDER and facts.in_solution_provider_plan:
        codes.add("already_in_plan")
    return _refusals(JOIN, codes)


def join_refusals(partner, program) -> list[Refusal]:
    """不满足加入计划的原因 for `partner` joining `program` (all that apply, in Huawei's order)."""
    return join_refusals_for(account_facts(partner), program)


def reseller_refusals(customer, distributor) -> list[Refusal]:
    """成为云经销商的条件 that `customer` does not meet for `distributor`."""
    codes = set()
    if distributor is None or distributor.partner_type != PartnerType.DISTRIBUTOR or not distributor.is_active:
        codes.add("not_a_distributor")
    # the reseller partner takes the account's ID and name: a partner holding either (the name in any case)
    # makes the account "already a partner" before acceptance, not an insert that fails on acceptance
    name = (customer.domain_name or "").strip()
    if customer.reseller_requests.filter(reseller__isnull=False).exists() or Partner.objects.filter(
            Q(domain_id=customer.domain_id) | (Q(account_name__iexact=name) if name else Q(pk__in=[]))).exists():
        codes.add("already_partner")
    if _has_unclosed_resources(customer):
        codes.add("unclosed_resources")
    balance, arrears = _money_of(customer)
    if balance > 0 or arrears > 0 or customer.in_debt:
        codes.add("arrears_or_balance")
    if Order.objects.filter(customer=customer, invoiceable=True, vat_invoice_issued_at__isnull=True,
                            status=OrderStatus.COMPLETED).exists():
        codes.add("invoiceable")
    if customer.is_postpaid:
        codes.add("postpaid")
    if customer.has_special_contract:
        codes.add("special_contract")
    if Association.objects.filter(customer=customer, ended_on__isnull=True,
                                  partner__partner_type=PartnerType.DISTRIBUTOR).exists():
        codes.add("distributor_customer")
    return _refusals(RESELLER, codes)


def lapsing_benefits(customer) -> dict:
    """What lapses when the account becomes a cloud reseller: its unused coupons and their balance, and the
    discounts partners set for it (stored-value cards are not held by this project)."""
    coupons = Coupon.objects.filter(customer=customer, status__in=[CouponStatus.INACTIVE, CouponStatus.EFFECTIVE])
    totals = coupons.aggregate(balance=Sum("balance"))
    return {
        "coupons": coupons.count(),
        "coupon_balance": totals["balance"] or Decimal("0"),
        "discounts": PartnerDiscount.objects.filter(customer=customer).count(),
    }
