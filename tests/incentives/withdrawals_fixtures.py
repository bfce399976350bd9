"""Helpers of the rebate-account and withdrawal tests (area W): a verified 商业信息认证 with an encrypted bank
account, rebate credited the way a final statement credits it (billing.rebates.credit_rebate), TOTP devices and
their current codes, and the confirmation's posted fields."""

import io
import re
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing.models import LedgerEntry, PartnerAccount, new_trans_id
from billing.rebates import credit_rebate
from partnercenter import secretbox
from programs.choices import CertificationStatus
from programs.models import BusinessCertification

D = Decimal
CERTIFIED_ACCOUNT = "6222020200112233445"   # last four: 3445
OTHER_ACCOUNT = "6217000011112222999"        # last four: 2999


def certify(partner, *, status=CertificationStatus.VERIFIED, account=CERTIFIED_ACCOUNT) -> BusinessCertification:
    return BusinessCertification.objects.create(
        partner=partner, company_name="甲公司", credit_code="91110000000000000X", registered_address="北京",
        legal_representative="张三", bank_name="中国工商银行", bank_branch="北京分行", bank_account_holder="甲公司",
        bank_account_encrypted=secretbox.encrypt(account), bank_account_last4=account[-4:], invoice_title="甲公司",
        tax_id="91110000000000000X", status=status)


def credit(partner, amount, *, counterparty="INC-2026-03") -> PartnerAccount:
    """Rebate credited as a final incentive statement credits it."""
    with transaction.atomic():
        return credit_rebate(partner, D(amount), trans_id=new_trans_id(), counterparty=counterparty)


def rebate_of(partner) -> Decimal:
    return PartnerAccount.objects.get(partner=partner).rebate_balance


def device_of(member) -> TOTPDevice:
    return TOTPDevice.objects.create(user=getattr(member, "user", member), name="app", confirmed=True)


def code_of(device) -> str:
    """The device's current code, usable again (a TOTP code works once per time step: tests withdraw more than
    once within a step)."""
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def posted_fields(response, form_id="confirm-form") -> dict:
    """The hidden and visible inputs of the confirmation form, as a browser would post them back."""
    body = response.content.decode()
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', body, re.S)
    assert form, body
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1).replace("&amp;", "&") if value else ""
    return fields


def verify_ledger():
    """manage.py verify_ledger (raises on any difference)."""
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue()


def rebate_entries(partner):
    return list(LedgerEntry.objects.filter(partner=partner, balance_type="rebate").order_by("id")
                .values_list("trade_type", "amount", "balance_after"))
