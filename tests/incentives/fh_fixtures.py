"""Set-up shared by the FH tests (专职人员激励): a partner on the path 数字化转型咨询与系统集成 at 能力差异化认证, qualified,
with approved project specialists, and its 商业信息认证 verified; files to upload; a platform operator."""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from incentives import fh_generation
from incentives.choices import FhQualificationStatus
from incentives.models_fh import FhQualification
from partnercenter import secretbox
from programs.catalogue import DIFFERENTIATED, DTCSI, ROLE_CERTIFIED, seed_definitions
from programs.choices import CertificationStatus, SpecialistStatus
from programs.models import BusinessCertification, MemberProfile, Path, PathEnrolment, ProjectSpecialist, Stage
from tests.factories import MemberFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
EACH = Decimal("8000.00")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def pdf(name="材料.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def make_operator(username="fh.ops"):
    return UserFactory(username=username, is_staff=True, is_superuser=True)


def enrol(partner, stage_code=DIFFERENTIATED):
    seed_definitions()
    path = Path.objects.get(code=DTCSI)
    stage = Stage.objects.get(path=path, code=stage_code)
    enrolment, _ = PathEnrolment.objects.update_or_create(partner=partner, path=path, defaults={"stage": stage})
    return enrolment


def qualify(partner, *, decided_at=None, by=None):
    return FhQualification.objects.create(
        partner=partner, status=FhQualificationStatus.APPROVED, agreement_version="2026.1", signer_name="张三",
        decided_at=decided_at or shanghai(2026, 1, 5, 10, 0), decided_by=by)


def specialist(partner, name, *, decided_at=None, status=SpecialistStatus.APPROVED, post="售前解决方案经理",
               started=date(2024, 6, 1)):
    """An approved DTCSI specialist whose profile keeps its employment details (岗位, working with the cloud since
    `started`): what the monthly list requires."""
    member = MemberFactory(partner=partner, user__username=f"{partner.account_name}.{name}", display_name=name)
    MemberProfile.objects.create(member=member, work_location="杭州", post=post, started_with_cloud_on=started)
    return ProjectSpecialist.objects.create(member=member, path=Path.objects.get(code=DTCSI), status=status,
                                            decided_at=decided_at or shanghai(2026, 1, 10, 10, 0))


def certify(partner, status=CertificationStatus.VERIFIED):
    return BusinessCertification.objects.create(
        partner=partner, company_name=f"{partner.name}", credit_code="91330100MA2AXXXX0X", registered_address="杭州市",
        legal_representative="李四", bank_name="招商银行", bank_branch="杭州分行", bank_account_holder=partner.name,
        bank_account_encrypted=secretbox.encrypt("6225880112345678"), bank_account_last4="5678",
        invoice_title=partner.name, tax_id="91330100MA2AXXXX0X", invoice_address_phone="杭州市 0571-8888", status=status)


def fh_partner(tenant, *, specialists=("王工", "李工"), certified=True):
    """The tenant's partner at the FH threshold, qualified, with approved specialists (and verified)."""
    w = SimpleNamespace(tenant=tenant, partner=tenant.partner)
    w.enrolment = enrol(tenant.partner)
    w.qualification = qualify(tenant.partner)
    w.specialists = [specialist(tenant.partner, name) for name in specialists]
    w.certification = certify(tenant.partner) if certified else None
    return w


def generate_at(moment) -> int:
    """Run the generation with the clock at `moment` (Asia/Shanghai)."""
    with time_machine.travel(moment, tick=False):
        return fh_generation.generate_lists()


__all__ = ["SHANGHAI", "EACH", "PDF", "shanghai", "pdf", "make_operator", "enrol", "qualify", "specialist", "certify",
           "fh_partner", "generate_at", "ROLE_CERTIFIED"]


def month_row(partner, month, status, *, amount=None, deadline=None, lines=None):
    """A list of `month` (a date) in `status`, with a line per given specialist (all kept) — for tests that need a
    quarter in a given state without running the whole flow."""
    from incentives.models_fh import FhLine, FhMonth

    lines = list(lines or ())
    row = FhMonth.objects.create(partner=partner, month=month, status=status,
                                 generated_at=shanghai(month.year, month.month, 1, 0, 0) + _one_month(month),
                                 deadline=deadline or shanghai(2030, 1, 1, 0, 0),
                                 amount=amount if amount is not None else EACH * max(len(lines), 1))
    for item in lines:
        FhLine.objects.create(fh_month=row, specialist=item, member_name=item.member.display_name, amount=EACH)
    return row


def _one_month(month):
    from datetime import timedelta
    return timedelta(days=32 - month.day + 1) - timedelta(days=1)


__all__ += ["month_row"]
