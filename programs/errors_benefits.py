"""Error codes of the benefits area (project specialists, profiles, test and exam coupons, badges): CBC.990122xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["BenefitCodes"]


class BenefitCodes:
    # -- project specialists (specialists.py): 99012201–209 ------------------------------------------
    MEMBER_NOT_LINKED = "CBC.99012201"
    NO_WORK_LOCATION = "CBC.99012202"
    PATH_WITHOUT_SPECIALISTS = "CBC.99012203"
    SPECIALIST_OPEN = "CBC.99012204"
    NOT_ON_PATH = "CBC.99012205"
    NOT_PENDING = "CBC.99012206"
    NOT_CANCELLABLE = "CBC.99012207"
    REASON_REQUIRED = "CBC.99012208"
    # -- test coupons (benefits.py): 99012210–219 -----------------------------------------------------
    PACKAGE_NOT_AVAILABLE = "CBC.99012210"
    AMOUNT_ABOVE_MAX = "CBC.99012211"
    APPLICATION_OPEN = "CBC.99012212"
    APPROVED_ABOVE_REQUESTED = "CBC.99012213"
    PURPOSE_REQUIRED = "CBC.99012214"
    # -- exam coupons (benefits.py): 99012220–229 -----------------------------------------------------
    UNIPORTAL_REQUIRED = "CBC.99012220"
    EXAM_OPEN = "CBC.99012221"
    EXAM_CODE_REQUIRED = "CBC.99012222"
    TRACK_REQUIRED = "CBC.99012223"
    # -- badges (badges.py): 99012230–239 -------------------------------------------------------------
    BADGE_EXISTS = "CBC.99012230"
    BADGE_WINDOW = "CBC.99012231"


register({
    BenefitCodes.MEMBER_NOT_LINKED: (400, _("The member is not active in your partner account.")),
    BenefitCodes.NO_WORK_LOCATION: (400, _(
        "The member's profile has no work location (工作常驻地): the member must fill it in first.")),
    BenefitCodes.PATH_WITHOUT_SPECIALISTS: (400, _(
        "Project specialists are not applied for on this path (not for the distribution and solution-provider "
        "plans).")),
    BenefitCodes.SPECIALIST_OPEN: (409, _(
        "The member is already a project specialist of this path or is being applied for.")),
    BenefitCodes.NOT_ON_PATH: (400, _("Your partner is not on this development path.")),
    BenefitCodes.NOT_PENDING: (409, _("This application has already been decided.")),
    BenefitCodes.NOT_CANCELLABLE: (409, _("Only an open or approved project specialist can be cancelled.")),
    BenefitCodes.REASON_REQUIRED: (400, _("Give a reason for the rejection.")),
    BenefitCodes.PACKAGE_NOT_AVAILABLE: (400, _(
        "This test-coupon package is not available to your partner at its current stage.")),
    BenefitCodes.AMOUNT_ABOVE_MAX: (400, _("The amount is above what this package grants at most.")),
    BenefitCodes.APPLICATION_OPEN: (409, _("Your partner already has an open application for this package.")),
    BenefitCodes.APPROVED_ABOVE_REQUESTED: (400, _("The approved amount cannot exceed the amount applied for.")),
    BenefitCodes.PURPOSE_REQUIRED: (400, _("Say what the test coupons are for.")),
    BenefitCodes.UNIPORTAL_REQUIRED: (400, _(
        "Give the uniportal account you will use on the talent platform.")),
    BenefitCodes.EXAM_OPEN: (409, _("You already have an open application for this exam.")),
    BenefitCodes.EXAM_CODE_REQUIRED: (400, _("Give the exam coupon code.")),
    BenefitCodes.TRACK_REQUIRED: (400, _("Name the certification the exam is for.")),
    BenefitCodes.BADGE_EXISTS: (409, _("The partner already has a badge for this capability label.")),
    BenefitCodes.BADGE_WINDOW: (400, _("A badge must be valid until a date after it was earned.")),
})
