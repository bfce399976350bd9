"""Pages of 权益 (benefits): 测试券, 考试券, 能力认证徽章, 项目专员, and a member's own profile (个人资料 and 就职信息).

Thin: reads come from selectors_benefits (scoped to the member's partner: another partner's row is 404),
writes from the services (specialists, profiles, benefits), whose refusals show on the form. Applications
(test coupons, project specialists) and cancelling a specialist take the two-step confirmation
(partnercenter.confirmation) with the verification code when the partner asks for one; an exam-coupon
application asks for the code on its own form.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partnercenter.confirmation import posted, two_step
from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate

from . import badges as badge_rules
from . import benefits, profiles, specialists
from . import selectors_benefits as selectors
from .choices import ExamStatus, SpecialistStatus
from .forms_benefits import ExamCouponForm, NothingForm, ProfileForm, SpecialistForm, TestCouponForm

__all__ = [
    "profile", "specialist_list", "specialist_apply", "specialist_cancel", "test_coupons", "test_coupon_apply",
    "exam_coupons", "exam_coupon_detail", "badge_list", "badge_download",
]

VIEW, APPLY = "benefits.view", "benefits.apply"


# ---------------------------------------------------------------------------------------------
# 个人资料 / 就职信息 (any member, itself only)
# ---------------------------------------------------------------------------------------------

@member_page()
def profile(request):
    actor = request.actor
    current = selectors.profile_of(actor.member)
    form = ProfileForm(posted(request), initial={
        "work_location": current.work_location, "post": current.post,
        "started_with_cloud_on": current.started_with_cloud_on, "uniportal_account": current.uniportal_account})
    if request.method == "POST" and form.is_valid():
        try:
            profiles.update_own_profile(actor, **form.cleaned_data)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("programs:profile")
    return render(request, "programs/benefits_profile.html", {"form": form, "profile": current})


# ---------------------------------------------------------------------------------------------
# 项目专员
# ---------------------------------------------------------------------------------------------

@member_page(VIEW)
def specialist_list(request):
    actor = request.actor
    page = paginate(request, selectors.specialists_for(actor))
    return render(request, "programs/benefits_specialists.html", {
        "page": page, "can_apply": actor.has_perm(APPLY),
        "open_statuses": [SpecialistStatus.APPLYING, SpecialistStatus.APPROVED],
    })


@member_page(APPLY)
def specialist_apply(request):
    actor = request.actor
    form = SpecialistForm(posted(request), members=selectors.members_for(actor).filter(user__is_active=True),
                          paths=selectors.paths_for(actor))

    def run(code):
        data = form.cleaned_data
        return specialists.apply(actor, member_id=data["member"].pk, path_id=data["path"].pk, verification_code=code)

    step = two_step(request, form, run)
    if step.done:
        messages.success(request, _("The application for %(member)s was sent; an operator will decide on it.")
                         % {"member": step.result.member.display_name})
        return redirect("programs:specialists")
    context = {"form": form, **step.context}
    if step.confirm:
        context["data"] = form.cleaned_data
    return render(request, "programs/benefits_specialist_apply.html", context)


@member_page(APPLY)
def specialist_cancel(request, pk):
    actor = request.actor
    specialist = selectors.specialists_for(actor).filter(pk=pk).first()
    if specialist is None:
        raise Http404
    form = NothingForm(posted(request))
    cancellable = specialist.status in (SpecialistStatus.APPLYING, SpecialistStatus.APPROVED)
    step = two_step(request, form, lambda code: specialists.cancel(actor, specialist_id=specialist.pk,
                                                                   verification_code=code))
    if step.done:
        messages.success(request, _("The project specialist was cancelled."))
        return redirect("programs:specialists")
    return render(request, "programs/benefits_specialist_cancel.html", {
        "form": form, "specialist": specialist, "cancellable": cancellable, **step.context})


# ---------------------------------------------------------------------------------------------
# 测试券
# ---------------------------------------------------------------------------------------------

@member_page(VIEW)
def test_coupons(request):
    actor = request.actor
    return render(request, "programs/benefits_test_coupons.html", {
        "rows": selectors.package_rows_for(actor), "page": paginate(request, selectors.test_applications_for(actor)),
        "can_apply": actor.has_perm(APPLY), "can_see_quotas": actor.has_perm("vouchers.view"),
    })


@member_page(APPLY)
def test_coupon_apply(request, pk):
    actor = request.actor
    row = selectors.package_for(actor, pk)
    if row is None:
        raise Http404
    form = TestCouponForm(posted(request), initial={"amount": row.package.max_amount})

    def run(code):
        data = form.cleaned_data
        return benefits.apply_test_coupon(actor, package_id=row.package.pk, amount=data["amount"],
                                          purpose=data["purpose"], verification_code=code)

    context = {"row": row, "package": row.package, "form": form}
    if not row.available or row.open_application is not None:
        return render(request, "programs/benefits_test_coupon_apply.html", context)
    step = two_step(request, form, run)
    if step.done:
        messages.success(request, _("Your application for %(package)s was sent; an operator will decide on it.")
                         % {"package": row.package.name})
        return redirect("programs:test_coupons")
    context.update(step.context)
    if step.confirm:
        context["data"] = form.cleaned_data
    return render(request, "programs/benefits_test_coupon_apply.html", context)


# ---------------------------------------------------------------------------------------------
# 考试券 (any member: its own coupons; codes to their member only)
# ---------------------------------------------------------------------------------------------

@member_page()
def exam_coupons(request):
    actor = request.actor
    own_profile = selectors.profile_of(actor.member)
    form = ExamCouponForm(posted(request), actor=actor, initial={"uniportal_account": own_profile.uniportal_account})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            benefits.apply_exam_coupon(actor, level=data["level"], track=data["track"],
                                       uniportal_account=data["uniportal_account"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your exam coupon application was sent; an operator will issue the code."))
            return redirect("programs:exam_coupons")
    team = request.GET.get("tab") == "team" and actor.has_perm(VIEW)
    if team:
        page = Paginator(selectors.partner_exam_coupons_for(actor), 20).get_page(request.GET.get("page"))
    else:
        page = paginate(request, selectors.own_exam_coupons_for(actor))
        for coupon in page:
            coupon.code = benefits.exam_code(actor, coupon)
    return render(request, "programs/benefits_exam_coupons.html", {
        "form": form, "page": page, "team": team, "can_see_team": actor.has_perm(VIEW),
        "platform": benefits.TALENT_PLATFORM, "place": benefits.EXAM_COUPON_PLACE, "issued": ExamStatus.ISSUED,
    })


@member_page()
def exam_coupon_detail(request, pk):
    actor = request.actor
    coupon = selectors.exam_coupon_for(actor, pk)
    if coupon is None:
        raise Http404
    own = coupon.member_id == actor.member.pk
    if not own and not actor.has_perm(VIEW):
        raise Http404
    return render(request, "programs/benefits_exam_coupon.html", {
        "coupon": coupon, "own": own, "code": benefits.exam_code(actor, coupon), "issued": ExamStatus.ISSUED,
        "platform": benefits.TALENT_PLATFORM, "place": benefits.EXAM_COUPON_PLACE,
    })


# ---------------------------------------------------------------------------------------------
# 能力认证徽章
# ---------------------------------------------------------------------------------------------

@member_page(VIEW)
def badge_list(request):
    actor = request.actor
    page = paginate(request, selectors.badges_for(actor))
    for badge in page:
        badge.valid = badge_rules.is_valid(badge)
    return render(request, "programs/benefits_badges.html", {"page": page, "rules": badge_rules.USAGE_RULES})


@member_page(VIEW)
def badge_download(request, pk):
    badge = selectors.badge_for(request.actor, pk)
    if badge is None or not badge_rules.is_valid(badge):
        raise Http404
    response = HttpResponse(badge_rules.svg_of(badge), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{badge_rules.filename_of(badge)}"'
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
