"""Reads of the benefits area, scoped to the acting member's partner: a row of another partner is not
found. Exam-coupon codes are not read here (benefits.exam_code decrypts one for its own member only)."""

from dataclasses import dataclass

from partnercenter.models import Member

from .choices import ApplicationStatus, SpecialistStatus
from .models import (
    Badge, ExamCoupon, MemberProfile, Path, PathEnrolment, ProjectSpecialist, TestCouponApplication, TestCouponPackage,
)

__all__ = [
    "members_for", "profile_of", "paths_for", "enrolments_for", "specialists_for", "PackageRow", "package_rows_for",
    "package_for", "test_applications_for", "own_exam_coupons_for", "partner_exam_coupons_for", "exam_coupon_for",
    "badges_for", "badge_for", "OPEN_SPECIALIST",
]


def _partner_id(actor):
    return actor.partner.pk if actor.is_partner else None


# ---------------------------------------------------------------------------------------------
# Members and their profiles
# ---------------------------------------------------------------------------------------------

def members_for(actor):
    """The partner's members, with their login (is it active?) and profile, by name."""
    return (Member.objects.filter(partner_id=_partner_id(actor)).select_related("user", "program_profile")
            .order_by("display_name", "pk"))


def profile_of(member) -> MemberProfile:
    """The member's profile, or an unsaved empty one (a member who never filled it in)."""
    return MemberProfile.objects.filter(member=member).first() or MemberProfile(member=member)


def paths_for(actor):
    """The development paths the partner is on."""
    return Path.objects.filter(enrolments__partner_id=_partner_id(actor)).order_by("rank", "code")


def enrolments_for(actor):
    """The development paths the partner is on, with its stage."""
    return PathEnrolment.objects.filter(partner_id=_partner_id(actor)).select_related("path", "stage")


# ---------------------------------------------------------------------------------------------
# Project specialists
# ---------------------------------------------------------------------------------------------

def specialists_for(actor):
    """项目专员 applications of the partner's members, newest first."""
    return (ProjectSpecialist.objects.filter(member__partner_id=_partner_id(actor))
            .select_related("member", "member__user", "member__program_profile", "path", "applied_by"))


OPEN_SPECIALIST = (SpecialistStatus.APPLYING, SpecialistStatus.APPROVED)  # at most one per member and path


# ---------------------------------------------------------------------------------------------
# Test coupons
# ---------------------------------------------------------------------------------------------

@dataclass
class PackageRow:
    package: TestCouponPackage
    enrolment: PathEnrolment
    open_application: TestCouponApplication | None

    @property
    def available(self) -> bool:
        """From the package's stage on (Stage.rank on the partner's path), while the package is open."""
        return self.package.is_active and self.enrolment.stage.rank >= self.package.min_stage.rank


def package_rows_for(actor) -> list[PackageRow]:
    """The test-coupon packages of the paths the partner is on (three statements), each with whether it
    is available at the partner's stage and the partner's open application for it."""
    enrolments = {e.path_id: e for e in enrolments_for(actor)}
    if not enrolments:
        return []
    packages = (TestCouponPackage.objects.filter(path_id__in=list(enrolments), is_active=True)
                .select_related("path", "min_stage").order_by("path__rank", "path_id", "min_stage__rank", "pk"))
    packages = list(packages)
    open_ones = {a.package_id: a for a in TestCouponApplication.objects.filter(
        partner_id=_partner_id(actor), package__in=packages, status=ApplicationStatus.APPLYING)}
    return [PackageRow(p, enrolments[p.path_id], open_ones.get(p.pk)) for p in packages]


def package_for(actor, pk) -> PackageRow | None:
    """One package of a path the partner is on (None otherwise: not found)."""
    enrolment = enrolments_for(actor).filter(path__test_coupon_packages__pk=pk).first()
    if enrolment is None:
        return None
    package = TestCouponPackage.objects.select_related("path", "min_stage").get(pk=pk)
    if not package.is_active:
        return None
    open_application = TestCouponApplication.objects.filter(
        partner_id=_partner_id(actor), package=package, status=ApplicationStatus.APPLYING).first()
    return PackageRow(package, enrolment, open_application)


def test_applications_for(actor):
    """The partner's test-coupon applications, newest first."""
    return (TestCouponApplication.objects.filter(partner_id=_partner_id(actor))
            .select_related("package", "package__path", "quota", "applied_by"))


# ---------------------------------------------------------------------------------------------
# Exam coupons
# ---------------------------------------------------------------------------------------------

def own_exam_coupons_for(actor):
    """The acting member's own exam coupons (its codes are shown to it only)."""
    member_id = actor.member.pk if actor.is_partner and actor.member is not None else None
    return ExamCoupon.objects.filter(member_id=member_id, member__partner_id=_partner_id(actor))


def partner_exam_coupons_for(actor):
    """Every exam coupon of the partner's members — for the overview of members with `benefits.view`: who
    applied and whether one was issued, never the code nor the uniportal account."""
    return (ExamCoupon.objects.filter(member__partner_id=_partner_id(actor)).select_related("member")
            .defer("code_encrypted", "uniportal_account"))


def exam_coupon_for(actor, pk):
    """An exam coupon of one of the partner's members (None for another partner's)."""
    return ExamCoupon.objects.filter(pk=pk, member__partner_id=_partner_id(actor)).select_related("member").first()


# ---------------------------------------------------------------------------------------------
# Badges
# ---------------------------------------------------------------------------------------------

def badges_for(actor):
    return Badge.objects.filter(partner_id=_partner_id(actor)).select_related("path", "partner")


def badge_for(actor, pk):
    return badges_for(actor).filter(pk=pk).first()
