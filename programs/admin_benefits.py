"""Operator screens of the benefits area.

- Member profiles: read-only (each member maintains its own in the partner center).
- Project specialists: approve / reject with a reason (programs.specialists).
- Test-coupon packages: definitions operators edit freely.
- Test-coupon applications: approve with an amount (a form: empty = the amount applied for; never more) —
  which grants the partner a real quota in vouchers — or reject with a reason (programs.benefits).
- Exam coupons: issue a code (one coupon at a time: a form with the code and its last day), or reject with a
  reason. The code is never shown here: it is stored encrypted and read back only by its member.
- Badges: adding one grants it through programs.badges (logged under the partner, told to it); changes and
  deletions are logged by OperatorAdmin.

Every decision goes through a service (re-checked under a lock, logged under the partner, told to it) and takes
the model's change permission — being staff is not enough.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.admin import OperatorAdmin
from partnercenter.errors import DomainError
from partnercenter.forms import AmountField

from . import badges, benefits, specialists
from .choices import ApplicationStatus, ExamStatus, SpecialistStatus
from .forms_benefits import ExamCodeForm, ReasonForm
from .models import Badge, ExamCoupon, MemberProfile, ProjectSpecialist, TestCouponApplication, TestCouponPackage

__all__ = ["MemberProfileAdmin", "ProjectSpecialistAdmin", "TestCouponPackageAdmin", "TestCouponApplicationAdmin",
           "ExamCouponAdmin", "BadgeAdmin"]


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _Decisions(_ReadOnly):
    """Rows decided by admin actions that call a service, one row at a time; an action that needs input (a
    reason, an amount, a code) shows a form page first."""

    decide_permission = ""
    action_template = "programs/benefits_admin_action.html"

    def has_decide_permission(self, request):
        return request.user.has_perm(self.decide_permission)

    def describe(self, obj) -> str:
        """How a row reads in messages and on the form page (the models have no __str__ of their own)."""
        return str(obj)

    def _run(self, request, queryset, call, done_message):
        if not self.has_decide_permission(request):  # the action list already hides it; a forged post too
            raise PermissionDenied
        actor, done = _actor(request), 0
        for obj in queryset:
            try:
                call(actor, obj)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{self.describe(obj)}: {exc.message}", messages.ERROR)
        self.message_user(request, done_message % {"count": done}, messages.SUCCESS if done else messages.WARNING)

    def _with_form(self, request, queryset, form_class, call, *, title, button, done_message, help_text="",
                   single=False):
        """A page asking for the form's fields, then `call(actor, obj, cleaned_data)` for each row."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        objects = list(queryset)
        if single and len(objects) > 1:
            self.message_user(request, _("Choose one row at a time for this action."), messages.ERROR)
            return None
        form = form_class(request.POST if "_decide" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            self._run(request, objects, lambda actor, obj: call(actor, obj, data), done_message)
            return None
        return TemplateResponse(request, self.action_template, {
            **self.admin_site.each_context(request), "title": title, "button": button, "help_text": help_text,
            "form": form, "objects": [self.describe(obj) for obj in objects], "opts": self.model._meta, "action": request.POST.get("action"),
            "checkbox_name": ACTION_CHECKBOX_NAME, "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0")})


# ---------------------------------------------------------------------------------------------
# Profiles and project specialists
# ---------------------------------------------------------------------------------------------

@admin.register(MemberProfile)
class MemberProfileAdmin(_ReadOnly):
    list_display = ["member", "partner", "work_location", "post", "started_with_cloud_on", "uniportal_account",
                    "updated_at"]
    list_select_related = ["member", "member__partner"]
    search_fields = ["member__display_name", "member__user__username", "member__partner__name", "work_location"]

    @admin.display(description=_("partner"))
    def partner(self, obj):
        return obj.member.partner


@admin.register(ProjectSpecialist)
class ProjectSpecialistAdmin(_Decisions):
    list_display = ["applied_at", "member", "partner", "path", "work_location", "status", "decided_at", "reason"]
    list_filter = ["status", "path"]
    list_select_related = ["member", "member__partner", "member__program_profile", "path"]
    search_fields = ["member__display_name", "member__user__username", "member__partner__name",
                     "member__partner__domain_id"]
    actions = ["approve", "reject"]
    decide_permission = "programs.change_projectspecialist"

    @admin.display(description=_("partner"))
    def partner(self, obj):
        return obj.member.partner

    def describe(self, obj):
        return f"{obj.member.partner} · {obj.member} · {obj.path}"

    @admin.display(description=_("work location"))
    def work_location(self, obj):
        profile = getattr(obj.member, "program_profile", None)
        return profile.work_location if profile is not None else ""

    @admin.action(description=_("Approve the selected project specialists"), permissions=["decide"])
    def approve(self, request, queryset):
        self._run(request, queryset.filter(status=SpecialistStatus.APPLYING),
                  lambda actor, obj: specialists.approve(actor, specialist_id=obj.pk),
                  _("%(count)d project specialist(s) approved."))

    @admin.action(description=_("Reject the selected project specialists"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._with_form(request, queryset.filter(status=SpecialistStatus.APPLYING), ReasonForm,
                               lambda actor, obj, data: specialists.reject(actor, specialist_id=obj.pk,
                                                                           reason=data["reason"]),
                               title=_("Reject with a reason"), button=_("Reject"),
                               done_message=_("%(count)d project specialist(s) rejected."))


# ---------------------------------------------------------------------------------------------
# Test coupons
# ---------------------------------------------------------------------------------------------

class TestCouponPackageForm(forms.ModelForm):
    class Meta:
        model = TestCouponPackage
        fields = "__all__"

    def clean_cloud_service_types(self):
        value = self.cleaned_data.get("cloud_service_types")
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise forms.ValidationError(_('Enter a list of cloud service type codes, e.g. ["hws.service.type.ec2"].'))
        return [item.strip() for item in value]

    def clean(self):
        data = super().clean()
        path, min_stage = data.get("path"), data.get("min_stage")
        if path is not None and min_stage is not None and min_stage.path_id != path.pk:
            self.add_error("min_stage", _("The stage must be a stage of the package's development path."))
        return data


@admin.register(TestCouponPackage)
class TestCouponPackageAdmin(admin.ModelAdmin):
    form = TestCouponPackageForm
    list_display = ["path", "name", "min_stage", "quota_type", "max_amount", "valid_days", "is_active"]
    list_filter = ["path", "is_active"]
    list_select_related = ["path", "min_stage"]
    search_fields = ["name", "path__name"]


class ApproveAmountForm(forms.Form):
    amount = AmountField(label=_("Amount to grant (CNY)"), required=False,
                         help_text=_("Empty: the amount each partner applied for. Never more than applied "
                                     "for."))


@admin.register(TestCouponApplication)
class TestCouponApplicationAdmin(_Decisions):
    list_display = ["applied_at", "partner", "package", "amount", "status", "approved_amount", "quota", "decided_at"]
    list_filter = ["status", "package__path", "package"]
    list_select_related = ["partner", "package", "package__path", "quota"]
    search_fields = ["partner__name", "partner__domain_id", "purpose"]
    actions = ["approve", "reject"]
    decide_permission = "programs.change_testcouponapplication"

    def describe(self, obj):
        return f"{obj.partner} · {obj.package} · ¥{obj.amount}"

    @admin.action(description=_("Approve the selected applications (grants a coupon quota)"), permissions=["decide"])
    def approve(self, request, queryset):
        def call(actor, obj, data):
            amount = data["amount"] if data["amount"] is not None else obj.amount
            benefits.approve_test_coupon(actor, application_id=obj.pk, amount=amount)

        return self._with_form(request, queryset.filter(status=ApplicationStatus.APPLYING), ApproveAmountForm, call,
                               title=_("Approve with an amount"), button=_("Approve and grant the quota"),
                               help_text=_("Each approval grants the partner a coupon quota of the amount (the "
                                           "package's quota type and cloud service types, valid for its days from "
                                           "now), shown under Coupon management."),
                               done_message=_("%(count)d application(s) approved."))

    @admin.action(description=_("Reject the selected applications"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._with_form(request, queryset.filter(status=ApplicationStatus.APPLYING), ReasonForm,
                               lambda actor, obj, data: benefits.reject_test_coupon(
                                   actor, application_id=obj.pk, reason=data["reason"]),
                               title=_("Reject with a reason"), button=_("Reject"),
                               done_message=_("%(count)d application(s) rejected."))


# ---------------------------------------------------------------------------------------------
# Exam coupons
# ---------------------------------------------------------------------------------------------

@admin.register(ExamCoupon)
class ExamCouponAdmin(_Decisions):
    list_display = ["applied_at", "member", "partner", "level", "track", "uniportal_account", "status", "issued_at",
                    "expires_on"]
    list_filter = ["status", "level"]
    list_select_related = ["member", "member__partner"]
    search_fields = ["member__display_name", "member__partner__name", "track", "uniportal_account"]
    exclude = ["code_encrypted"]   # never shown back, not even to operators
    actions = ["issue", "reject"]
    decide_permission = "programs.change_examcoupon"

    def describe(self, obj):
        return f"{obj.member.partner} · {obj.member} · {obj.level} {obj.track}"

    @admin.display(description=_("partner"))
    def partner(self, obj):
        return obj.member.partner

    @admin.action(description=_("Issue the code of the selected exam coupon"), permissions=["decide"])
    def issue(self, request, queryset):
        return self._with_form(request, queryset.filter(status=ExamStatus.APPLYING), ExamCodeForm,
                               lambda actor, obj, data: benefits.issue_exam_coupon(
                                   actor, coupon_id=obj.pk, code=data["code"], expires_on=data["expires_on"]),
                               title=_("Issue the exam coupon code"), button=_("Issue"), single=True,
                               help_text=_("The code is stored encrypted and shown to the member only, on its exam "
                                           "coupon page."),
                               done_message=_("%(count)d exam coupon(s) issued."))

    @admin.action(description=_("Reject the selected exam coupon applications"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._with_form(request, queryset.filter(status=ExamStatus.APPLYING), ReasonForm,
                               lambda actor, obj, data: benefits.reject_exam_coupon(
                                   actor, coupon_id=obj.pk, reason=data["reason"]),
                               title=_("Reject with a reason"), button=_("Reject"),
                               done_message=_("%(count)d exam coupon application(s) rejected."))


# ---------------------------------------------------------------------------------------------
# Badges
# ---------------------------------------------------------------------------------------------

class BadgeForm(forms.ModelForm):
    class Meta:
        model = Badge
        fields = ["partner", "path", "capability", "earned_on", "valid_until"]

    def clean(self):
        data = super().clean()
        earned_on, valid_until = data.get("earned_on"), data.get("valid_until")
        if earned_on is None and "earned_on" not in self.fields and self.instance.pk:
            earned_on = self.instance.earned_on  # read-only when editing: the date it was earned stays
        if earned_on and valid_until and valid_until <= earned_on:
            raise forms.ValidationError(_("A badge must be valid until a date after it was earned."))
        return data


@admin.register(Badge)
class BadgeAdmin(OperatorAdmin):
    """Adding a badge grants it (programs.badges.grant: logged under the partner and told to it)."""

    list_display = ["capability", "partner", "path", "earned_on", "valid_until"]
    list_filter = ["path"]
    list_select_related = ["partner", "path"]
    search_fields = ["capability", "partner__name", "partner__domain_id"]
    autocomplete_fields = ["partner"]
    form = BadgeForm

    def get_readonly_fields(self, request, obj=None):
        return ["partner", "capability", "earned_on"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            badge = badges.grant(_actor(request), partner=obj.partner, capability=obj.capability,
                                 earned_on=obj.earned_on, valid_until=obj.valid_until, path=obj.path)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk = badge.pk

    def log_addition(self, request, obj, message):
        # the service logged the grant under the partner; only Django's admin history here
        if obj.pk is not None:
            return admin.ModelAdmin.log_addition(self, request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)
