"""Helpers of the standing tests (no tests here): real rows for a partner's own cloud account, enrolments,
specialists, certification and agreements, and an operator."""

from datetime import date

from django.utils import timezone

from billing.models import CustomerAccount
from partnercenter import secretbox
from programs.catalogue import DTCSI, SOLUTION_PROVIDER
from programs.choices import CertificationStatus, SpecialistStatus
from programs.models import (
    Agreement, AgreementSignature, BusinessCertification, CertifiedSolution, Path, PathEnrolment, Program,
    ProjectSpecialist, Stage,
)

from ..conftest import actor_of
from ..factories import CustomerFactory, MemberFactory, UserFactory


def program(code=SOLUTION_PROVIDER) -> Program:
    return Program.objects.get(code=code)


def as_applicant(partner):
    """Make `partner` one that may apply to the solution-provider plan: a distributor (a solution provider is
    in that plan by its type)."""
    partner.partner_type = "distributor"
    partner.save(update_fields=["partner_type"])
    return partner


def stage(path_code, stage_code) -> Stage:
    return Stage.objects.get(path__code=path_code, code=stage_code)


def enrol(partner, path_code=DTCSI, stage_code="registered") -> PathEnrolment:
    return PathEnrolment.objects.create(partner=partner, path=Path.objects.get(code=path_code),
                                        stage=stage(path_code, stage_code))


def own_account(partner, **fields):
    """The partner's own cloud account: the customer with the partner's account ID."""
    return CustomerFactory(domain_id=partner.domain_id, **fields)


def arrears(customer, amount="12.30"):
    return CustomerAccount.objects.create(customer=customer, arrears=amount)


def operator():
    return actor_of(UserFactory(username="operator", is_staff=True, is_superuser=True))


def specialist(partner, path_code=DTCSI, status=SpecialistStatus.APPROVED, active=True):
    member = MemberFactory(partner=partner)
    if not active:
        member.user.is_active = False
        member.user.save()
    return ProjectSpecialist.objects.create(member=member, path=Path.objects.get(code=path_code), status=status)


def certify(partner, status=CertificationStatus.VERIFIED):
    return BusinessCertification.objects.create(
        partner=partner, company_name="某某科技有限公司", credit_code="91110000000000000X", registered_address="北京",
        legal_representative="张三", bank_name="银行", bank_account_holder="某某科技有限公司",
        bank_account_encrypted=secretbox.encrypt("6222000011112222"), bank_account_last4="2222",
        invoice_title="某某科技有限公司", tax_id="91110000000000000X", status=status)


def sign(partner, published=True, version="v1"):
    agreement = Agreement.objects.create(program=program(), title="伙伴协议", version=version, body="…",
                                         effective_at=timezone.now(),
                                         published_at=timezone.now() if published else None)
    return AgreementSignature.objects.create(agreement=agreement, partner=partner, signer_name="张三")


def certified_solution(partner, name="云应用"):
    return CertifiedSolution.objects.create(partner=partner, name=name, certification="先进云软件认证",
                                            certified_on=date(2026, 1, 5))
