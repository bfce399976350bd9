"""商业信息认证 (business information certification): a partner's company registration, bank account and
invoicing details, verified by operators. Incentive payments and withdrawals later require it
(`is_certified`; e.g. 专职人员激励(FH) 季度付款 "需要先完成商业信息认证").

The state machine (every move a conditional UPDATE on the status it leaves, so two submits or two
decisions at once move it once):

    DRAFT ──submit──▶ SUBMITTED ──verify──▶ VERIFIED
    RETURNED ◀─return(reason)─┘
    RETURNED ──submit──▶ SUBMITTED

- members with `programs.manage` save the details while DRAFT or RETURNED (`save_details`); SUBMITTED
  and VERIFIED are locked (a verified partner changes its details through its ecosystem manager);
- submitting asks for the verification code when the partner has 验证码验证 on;
- operators (the admin) verify or return with a reason; the partner's members hear of it
  (`certification.verified` / `certification.returned`);
- the business licence: each upload replaces the stored one (`replace_licence`), so a certification keeps
  one document. Lock order: the partner row, then the certification row (`save_details`).

The bank account number is validated (8–32 digits), encrypted with partnercenter.secretbox and shown
only by its last four digits, everywhere (pages, admin, operation log); nothing reads it back in full
here. The unified social credit code (统一社会信用代码) is checked against GB 32100-2015: 18 characters
of 0-9 and A-Y without I, O, S, V, Z, the last one a check character over the first 17.
"""

import re

from django.utils import timezone

from events import outbox
from partnercenter import secretbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import event_types_agreements as event_types
from .choices import CertificationStatus
from .errors_agreements import AgreementCodes
from .locks import lock_partner
from .models import BusinessCertification

__all__ = [
    "MANAGE", "EDITABLE", "DETAIL_FIELDS", "valid_credit_code", "normalize_bank_account", "certification_of",
    "is_certified", "save_details", "replace_licence", "submit", "verify", "return_certification",
]

MANAGE = "programs.manage"
EDITABLE = (CertificationStatus.DRAFT, CertificationStatus.RETURNED)
DETAIL_FIELDS = ("company_name", "credit_code", "registered_address", "legal_representative", "bank_name",
                 "bank_branch", "bank_account_holder", "invoice_title", "tax_id", "invoice_address_phone")
REQUIRED_FIELDS = ("company_name", "credit_code", "registered_address", "legal_representative", "bank_name",
                   "bank_account_holder", "invoice_title", "tax_id")

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_TAX_ID = re.compile(r"[0-9A-Z]{15,20}")
_ACCOUNT = re.compile(r"\d{8,32}")


def valid_credit_code(code: str) -> bool:
    """GB 32100-2015: check = (31 − Σ value(cᵢ)·wᵢ mod 31) mod 31 over the first 17 characters."""
    if len(code) != 18 or any(c not in _CREDIT_CHARS for c in code):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def normalize_bank_account(value: str) -> str:
    """The digits of an account number as typed (spaces and hyphens dropped); DomainError if not 8–32 digits."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not _ACCOUNT.fullmatch(digits):
        raise DomainError(AgreementCodes.CERT_BANK_ACCOUNT)
    return digits


def certification_of(partner) -> BusinessCertification | None:
    return BusinessCertification.objects.filter(partner_id=partner.pk).first()


def is_certified(partner) -> bool:
    """Did operators verify the partner's business information (for incentive payments and withdrawals)?"""
    return BusinessCertification.objects.filter(partner_id=partner.pk, status=CertificationStatus.VERIFIED).exists()


def _require_manager(actor):
    if not actor.is_partner or not actor.has_perm(MANAGE):
        raise DomainError(Codes.FORBIDDEN)


def _clean(values: dict) -> dict:
    cleaned = {name: (values.get(name) or "").strip() for name in DETAIL_FIELDS}
    for name in REQUIRED_FIELDS:
        if not cleaned[name]:
            raise DomainError(Codes.PARAMETER, field=name)
    cleaned["credit_code"] = cleaned["credit_code"].upper()
    if not valid_credit_code(cleaned["credit_code"]):
        raise DomainError(AgreementCodes.CERT_CREDIT_CODE)
    cleaned["tax_id"] = cleaned["tax_id"].upper()
    if not _TAX_ID.fullmatch(cleaned["tax_id"]):
        raise DomainError(AgreementCodes.CERT_TAX_ID)
    for field in BusinessCertification._meta.fields:
        if field.name in cleaned and field.max_length and len(cleaned[field.name]) > field.max_length:
            raise DomainError(Codes.PARAMETER, field=field.name)
    return cleaned


def save_details(actor, *, bank_account: str = "", **values) -> BusinessCertification:
    """Create or change the details while DRAFT or RETURNED. `bank_account` blank keeps the stored number
    (it is never shown back); the first save needs one."""
    _require_manager(actor)
    cleaned = _clean(values)
    account = normalize_bank_account(bank_account) if (bank_account or "").strip() else None
    with operation(actor, "programs.certification_save") as entry:
        # The partner row first (this app's lock order): on a first save there is no certification row to
        # lock yet, so two first saves at once would both insert (the second failing on the one-per-partner
        # constraint); the partner row makes the second wait and then find the first one's row.
        lock_partner(actor.partner.pk)
        certification = BusinessCertification.objects.select_for_update().filter(partner_id=actor.partner.pk).first()
        if certification is None:
            if account is None:
                raise DomainError(AgreementCodes.CERT_MISSING)
            certification = BusinessCertification(partner=actor.partner)
        elif certification.status not in EDITABLE:
            raise DomainError(AgreementCodes.CERT_LOCKED)
        changed = [name for name, value in cleaned.items() if getattr(certification, name) != value]
        for name, value in cleaned.items():
            setattr(certification, name, value)
        if account is not None:
            certification.bank_account_encrypted = secretbox.encrypt(account)
            certification.bank_account_last4 = account[-4:]
            changed.append("bank_account")
        certification.save()
        entry.target = certification
        entry.detail = {"changed": changed, "bank_account": certification.masked_bank_account}
    return certification


def replace_licence(actor, *, certification, upload):
    """Store `upload` as the certification's business licence (programs.uploads.store_material: checked,
    private, DRAFT/RETURNED only) and remove the licence it replaces, in one transaction: the certification
    keeps one document, so uploads never pile up to the per-owner limit. The replaced files go once this
    commits (the Material post_delete receiver, programs.uploads.remove_file_after_delete)."""
    from .uploads import files_removed_on_error, store_material

    with files_removed_on_error(), operation(actor, "programs.certification_licence", target=certification,
                                             detail={"file": str(getattr(upload, "name", ""))[:200]}) as entry:
        material = store_material(actor, upload=upload, certification=certification)  # locks the certification
        replaced = []
        for old in certification.materials.exclude(pk=material.pk):
            replaced.append(old.pk)
            old.delete()
        entry.detail.update(material=material.pk, replaced=replaced)
    return material


def submit(actor, *, verification_code=None) -> BusinessCertification:
    """DRAFT/RETURNED → SUBMITTED, for the operators to verify."""
    _require_manager(actor)
    certification = certification_of(actor.partner)
    if certification is None:
        raise DomainError(AgreementCodes.CERT_NOT_SUBMITTABLE)
    with operation(actor, "programs.certification_submit", target=certification,
                   verification_code=verification_code):
        now = timezone.now()
        if not BusinessCertification.objects.filter(pk=certification.pk, status__in=EDITABLE).update(
                status=CertificationStatus.SUBMITTED, submitted_at=now):
            raise DomainError(AgreementCodes.CERT_NOT_SUBMITTABLE)
    certification.refresh_from_db()
    return certification


def _decide(actor, certification_id, status, reason=""):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)
    certification = BusinessCertification.objects.select_related("partner").filter(pk=certification_id).first()
    if certification is None:
        raise DomainError(Codes.NOT_FOUND)
    action = "programs.certification_verify" if status == CertificationStatus.VERIFIED else "programs.certification_return"
    with operation(actor, action, target=certification, partner=certification.partner, detail={"reason": reason}):
        if status == CertificationStatus.RETURNED and not reason:
            raise DomainError(AgreementCodes.CERT_REASON_REQUIRED)
        lock_partner(certification.partner_id)   # certification counts toward the stage requirements (locks.py)
        now = timezone.now()
        if not BusinessCertification.objects.filter(pk=certification.pk, status=CertificationStatus.SUBMITTED).update(
                status=status, decided_at=now, decided_by=actor.user, reason=reason):
            raise DomainError(AgreementCodes.CERT_NOT_SUBMITTED)
        if status == CertificationStatus.VERIFIED:
            outbox.record(event_types.CERTIFICATION_VERIFIED, partner=certification.partner, actor=actor, data={})
        else:
            outbox.record(event_types.CERTIFICATION_RETURNED, partner=certification.partner, actor=actor,
                          data={"reason": reason})
    certification.refresh_from_db()
    return certification


def verify(actor, *, certification_id) -> BusinessCertification:
    """An operator checked the details: SUBMITTED → VERIFIED."""
    return _decide(actor, certification_id, CertificationStatus.VERIFIED)


def return_certification(actor, *, certification_id, reason: str) -> BusinessCertification:
    """An operator sends it back with the reason: SUBMITTED → RETURNED; the partner corrects and submits again."""
    return _decide(actor, certification_id, CertificationStatus.RETURNED, (reason or "").strip()[:500])
