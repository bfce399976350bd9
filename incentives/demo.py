"""Demo incentives (issue 17), after every other demo (bills closed three months of 北京智云's customers'
consumption), made through the services production runs. Idempotent: a second run finds every policy, run,
statement, withdrawal, list and payment in place.

- Policies in force from four months ago, open-ended (so this month and the last three): for the
  solution-provider programme, resale and referral, with ECS as 特定产品 at its own rates, RDS 有业绩无返点,
  VPC and stored-value cards 无业绩无返点, two tiers and a first-order rate; and a general pair for every other
  partner.
- The three closed months run. The oldest month's statements are final (the rebate credited); in the middle month
  one is confirmed and the others are final, one of them after a dispute that operators answered with a
  corrected amount; in the newest month one is disputed and waiting for an answer, the rest are pending.
- 北京智云's rebate: one withdrawal paid, one pending.
- FH: 北京智云 has reached 能力差异化认证 on 数字化转型咨询与系统集成 and is qualified. The quarter in progress is
  the previous month's: that month's list is due in a few working days (early in the month: in 14), the
  quarter's months before it are final. The quarter before it has its three lists final and its payment approved
  with the invoice number entered (in January, April, July and October the previous month ends a quarter, still
  open: the payment is the quarter before that one's).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing.rebates import rebate_balance
from bills.choices import PeriodStatus
from bills.models import BillingPeriod
from catalog.models import ServiceType
from partnercenter import workdays
from partnercenter.actors import SCHEDULER, actor_for_user
from programs.catalogue import DIFFERENTIATED, DTCSI, SOLUTION_PROVIDER
from programs.models import PathEnrolment, Program, Stage

from . import fh_generation, fh_months, fh_payments, fh_qualification, run, statements, withdrawals
from .choices import FhMonthStatus, FhQualificationStatus, PolicyCode, StatementStatus
from .models import (FhMonth, FhPayment, FhQualification, IncentivePolicy, IncentiveStatement, PolicyServiceRule,
                     PolicyTier, RebateWithdrawal)
from .selectors_fh import month_start, next_month, previous_month

__all__ = ["seed"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
EC2, RDS, VPC, STORED_CARD = ("hws.service.type.ec2", "hws.service.type.rds", "hws.service.type.vpc",
                              "hws.service.type.storedcard")


def _months_back(day: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before `day`'s."""
    month = month_start(day)
    for _ in range(back):
        month = previous_month(month)
    return month


def _policies(today: dt.date) -> None:
    start = _months_back(today, 4)
    program = Program.objects.filter(code=SOLUTION_PROVIDER).first()
    services = {s.code: s for s in ServiceType.objects.filter(code__in=[EC2, RDS, VPC, STORED_CARD])}
    plans = (
        ("sp-resale", "解决方案提供商 · 转售激励", program, "2", "0.0500", "0.0300", "0.0200"),
        ("sp-referral", "解决方案提供商 · 推荐激励", program, "1", "0.0300", "0.0200", "0.0100"),
        ("general-resale", "通用转售激励", None, "2", "0.0300", "0.0200", "0"),
        ("general-referral", "通用推荐激励", None, "1", "0.0200", "0.0100", "0"),
    )
    for code, name, prog, association_type, period_rate, on_demand_rate, first_order in plans:
        policy, created = IncentivePolicy.objects.get_or_create(code=code, defaults={
            "name": name, "program": prog, "association_type": association_type, "valid_from": start,
            "period_rate": Decimal(period_rate), "on_demand_rate": Decimal(on_demand_rate),
            "first_order_rate": Decimal(first_order),
            "description": "演示政策：包年/包月与按需分别计返点；特定产品按单独费率；部分产品不产生返点。"})
        if not created:
            continue
        rules = [(EC2, PolicyCode.SPECIFIC, "0.0800", "0.0400"), (RDS, PolicyCode.PERFORMANCE_ONLY, None, None),
                 (VPC, PolicyCode.NO_PERFORMANCE, None, None), (STORED_CARD, PolicyCode.NO_PERFORMANCE, None, None)]
        PolicyServiceRule.objects.bulk_create([
            PolicyServiceRule(policy=policy, service_type=services[service], incentive_policy=policy_code,
                              period_rate=Decimal(p) if p else None, on_demand_rate=Decimal(o) if o else None)
            for service, policy_code, p, o in rules if service in services])
        if prog is not None:
            PolicyTier.objects.bulk_create([
                PolicyTier(policy=policy, min_performance=Decimal("500.00"), extra_rate=Decimal("0.0050")),
                PolicyTier(policy=policy, min_performance=Decimal("5000.00"), extra_rate=Decimal("0.0100"))])


def _operator():
    return actor_for_user(get_user_model().objects.get(username="operator"))


def _reconcile(bj, ceo, operator, cycles: list[str]) -> None:
    """Statements in every state, oldest month first (the run left them all PENDING)."""
    oldest, middle, newest = (cycles + [None, None, None])[:3]
    if IncentiveStatement.objects.filter(partner=bj).exclude(status=StatementStatus.PENDING).exists():
        return
    mine = IncentiveStatement.objects.filter(partner=bj).order_by("kind", "policy_id", "pk")
    for statement in mine.filter(bill_cycle=oldest):
        statements.confirm(ceo, statement=statement)
        statements.finalise(operator, statement=statement)
    in_middle = list(mine.filter(bill_cycle=middle))
    for index, statement in enumerate(in_middle):
        if index == 0:
            statements.dispute(ceo, statement=statement, reason="本月 ECS 新购订单的首单激励未计入，请核实。")
            statements.answer(operator, statement=statement, answer="已核实：首单激励另有一张激励汇总；基础激励按实际现金消费修正。",
                              amount=(statement.amount + Decimal("12.30")).quantize(Decimal("0.01")))
        elif index == 1:
            statements.confirm(ceo, statement=statement)
        else:
            statements.confirm(ceo, statement=statement)
            statements.finalise(operator, statement=statement)
    for statement in mine.filter(bill_cycle=newest)[:1]:
        statements.dispute(ceo, statement=statement, reason="客户 bj-cust-02 本月退订已在上月激励中扣减，本月不应再计。")


def _code(user, step: int) -> str:
    """A one-time code from a TOTP device made for the demo's withdrawals (the code is always asked)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="demo-withdrawals",
                                                        defaults={"confirmed": True})
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step * device.step
    return str(totp.token()).zfill(device.digits)


def _withdrawals(bj, ceo_user, operator) -> None:
    if RebateWithdrawal.objects.filter(partner=bj).exists():
        return
    balance = rebate_balance(bj)
    if balance < Decimal("2.00"):
        return
    actor = actor_for_user(ceo_user)
    paid = (balance * Decimal("0.5")).quantize(Decimal("0.01"))
    pending = (balance * Decimal("0.2")).quantize(Decimal("0.01"))
    bank = withdrawals.certified_bank(bj)
    details = {"bank_name": bank.bank_name, "bank_branch": bank.bank_branch, "account_holder": bank.account_holder}
    first = withdrawals.request_withdrawal(actor, amount=str(paid), **details, verification_code=_code(ceo_user, 0))
    withdrawals.mark_paid(operator, withdrawal_id=first.pk, reference="CMB-DEMO-20261")
    withdrawals.request_withdrawal(actor, amount=str(pending), **details, verification_code=_code(ceo_user, 1))
    TOTPDevice.objects.filter(user=ceo_user, name="demo-withdrawals").delete()


def _at_nine(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), SHANGHAI)


def _past_list(ceo, operator, bj, generated_on: dt.date) -> None:
    """A past month's list, generated on the 1st of the next month, checked, submitted and made final. Its
    deadline has passed by now, so it is opened for the submission and put back afterwards."""
    generated = _at_nine(generated_on)
    fh_generation.generate_lists(now=generated)
    fh_month = FhMonth.objects.filter(partner=bj, month=fh_generation.list_month(generated)).first()
    if fh_month is None or fh_month.status != FhMonthStatus.GENERATED:
        return
    deadline = fh_month.deadline
    FhMonth.objects.filter(pk=fh_month.pk).update(deadline=timezone.now() + dt.timedelta(days=1))
    fh_months.upload_materials(ceo, fh_month=fh_month, files=[SimpleUploadedFile(
        f"FH-{fh_month.month:%Y%m}.pdf", b"%PDF-1.4\n% FH demo materials\n", content_type="application/pdf")])
    fh_months.submit(ceo, fh_month=fh_month)
    fh_months.finalise(operator, fh_month=fh_month)
    FhMonth.objects.filter(pk=fh_month.pk).update(deadline=deadline, submitted_at=generated + dt.timedelta(days=3),
                                                  decided_at=generated + dt.timedelta(days=6))


def _fh(bj, ceo, operator, now: dt.datetime) -> None:
    stage = Stage.objects.filter(path__code=DTCSI, code=DIFFERENTIATED).first()
    if stage is None:
        return
    PathEnrolment.objects.filter(partner=bj, path=stage.path).exclude(stage=stage).update(
        stage=stage, since=now - dt.timedelta(days=240))
    qualification = FhQualification.objects.filter(partner=bj).first()
    if qualification is None:
        qualification = fh_qualification.apply(ceo, signer_name="王晓明", accepted=True)
        fh_qualification.approve(operator, qualification=qualification, reason="资格审核通过")
        FhQualification.objects.filter(pk=qualification.pk).update(
            signed_at=now - dt.timedelta(days=200), decided_at=now - dt.timedelta(days=195))
    if FhQualification.objects.filter(partner=bj, status=FhQualificationStatus.APPROVED).count() == 0:
        return
    today = now.astimezone(SHANGHAI).date()
    due = _months_back(today, 1)                    # the previous month: its list is the one due
    in_progress = fh_payments.quarter_months(*fh_payments.quarter_of(due))[0]
    paid = _months_back(in_progress, 3)             # the quarter before: every month final, paid
    # the paid quarter's three lists and the quarter in progress's months before the due one: final
    month = paid
    while month < due:
        _past_list(ceo, operator, bj, next_month(month))
        month = next_month(month)
    year, quarter = fh_payments.quarter_of(paid)
    if not FhPayment.objects.filter(partner=bj, year=year, quarter=quarter).exists():
        payment = fh_payments.apply(ceo, year=year, quarter=quarter)
        fh_payments.approve(operator, payment=payment, reason="材料齐全")
        fh_payments.enter_invoice(ceo, payment=payment, invoice_number="26110000012345")
    # the previous month's list, due in a few working days (or, early in the month, in 14)
    calendar = workdays.WorkdayCalendar()
    generated = max(_at_nine(month_start(today)), calendar.add_working_days(now, -11))
    fh_generation.generate_lists(now=generated)


def seed(ctx: dict) -> None:
    bj = ctx["partners"]["bj"]
    ceo_user = ctx["members"]["bj.ceo"].user
    ceo, operator = actor_for_user(ceo_user), _operator()
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    _policies(today)
    cycles = sorted(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("bill_cycle", flat=True))[-3:]
    for cycle in cycles:
        run.run_month(SCHEDULER, bill_cycle=cycle)
    _reconcile(bj, ceo, operator, cycles)
    _withdrawals(bj, ceo_user, operator)
    _fh(bj, ceo, operator, now)

