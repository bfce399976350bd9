"""Operator screens of the agreements area.

- Agreement: operators write a version (text, the new contracting entity if any, the effective DATE — it
  takes effect at 00:00:00 China time of that day) and publish it with the "Publish" action
  (programs.agreements.publish, logged). A published agreement is view-only (no field, its effective date
  included; a POST is refused, and a save racing the publication too): partners signed its text.
  Its signatures are shown inline, read-only.
- AgreementSignature: read-only (who, when, IP, browser, when the entity was applied).
- BusinessCertification: read-only, the bank account only masked (no way to see it in full here), its
  documents (the business licence) inline with a link to the guarded download;
  "Verify" and "Return with a reason" actions call programs.certification (logged, the partner is told).
Publishing takes `programs.change_agreement`, deciding a certification `programs.change_businesscertification`
(being staff is not enough).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError
from partnercenter.templatetags.display import CHINA

from . import agreements, certification
from .admin_reviews import MaterialInline
from .choices import CertificationStatus
from .models import Agreement, AgreementSignature, BusinessCertification

PUBLISH_PERMISSION = "programs.change_agreement"
DECIDE_PERMISSION = "programs.change_businesscertification"
SIGNATURE_FIELDS = ["partner", "signer_name", "signed_by", "signed_at", "ip_address", "user_agent", "applied_at"]


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class AgreementForm(forms.ModelForm):
    effective_on = forms.DateField(label=_("effective date"), help_text=_(
        "The agreement (and its contracting entity) takes effect at 00:00:00 China time of this day."))

    class Meta:
        model = Agreement
        fields = ["program", "title", "version", "body", "contracting_entity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.published_at:   # signed text: its effective time no longer changes
            self.fields.pop("effective_on", None)
        elif self.instance.pk and self.instance.effective_at:
            self.fields["effective_on"].initial = self.instance.effective_at.astimezone(CHINA).date()

    def save(self, commit=True):
        if self.instance.published_at:
            raise PermissionDenied("A published agreement does not change.")
        self.instance.effective_at = agreements.effective_midnight(self.cleaned_data["effective_on"])
        return super().save(commit)


class SignatureInline(admin.TabularInline):
    model = AgreementSignature
    fields = SIGNATURE_FIELDS
    readonly_fields = SIGNATURE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    form = AgreementForm
    list_display = ["title", "version", "program", "contracting_entity", "effective_at", "published_at"]
    list_filter = ["program", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "version", "contracting_entity"]
    inlines = [SignatureInline]
    actions = ["publish"]

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.published_at:
            return ["program", "title", "version", "body", "contracting_entity", "effective_at", "published_at"]
        return ["program", "title", "version", "body", "contracting_entity", "effective_on"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.published_at:  # partners signed this text: it does not change
            return self.get_fields(request, obj)
        return []

    def has_change_permission(self, request, obj=None):
        # published: view only (no form field, no Save button; a POST is 403)
        return super().has_change_permission(request, obj) and (obj is None or obj.published_at is None)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.published_at is None)

    def save_model(self, request, obj, form, change):
        if change:  # published since the page was read? Lock the row: `publish` waits for this save
            if Agreement.objects.select_for_update().filter(pk=obj.pk, published_at__isnull=False).exists():
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected agreements (partners must sign them)"), permissions=["publish"])
    def publish(self, request, queryset):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        actor, done = _actor(request), 0
        for agreement in queryset.filter(published_at__isnull=True):
            try:
                agreements.publish(actor, agreement_id=agreement.pk)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{agreement}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)d agreement(s) published.") % {"count": done})


@admin.register(AgreementSignature)
class AgreementSignatureAdmin(admin.ModelAdmin):
    list_display = ["agreement", "partner", "signer_name", "signed_at", "ip_address", "applied_at"]
    list_filter = ["agreement__program", ("applied_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner__name", "partner__account_name", "signer_name", "agreement__title"]
    list_select_related = ["agreement", "partner"]
    fields = ["agreement", *SIGNATURE_FIELDS]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


CERTIFICATION_FIELDS = ["partner", "status", "company_name", "credit_code", "registered_address",
                        "legal_representative", "bank_name", "bank_branch", "bank_account_holder", "masked_account",
                        "invoice_title", "tax_id", "invoice_address_phone", "submitted_at", "decided_at",
                        "decided_by", "reason", "updated_at"]


class CertificationMaterialInline(MaterialInline):
    """The certification's documents (the business licence)."""

    fk_name = "certification"
    view_permissions = ("programs.view_businesscertification", DECIDE_PERMISSION, "programs.view_material")


@admin.register(BusinessCertification)
class BusinessCertificationAdmin(admin.ModelAdmin):
    """Read-only; the bank account number shown by its last 4 digits only (it is never decrypted here)."""

    list_display = ["partner", "company_name", "credit_code", "masked_account", "status", "submitted_at",
                    "decided_at"]
    list_filter = ["status"]
    search_fields = ["partner__name", "partner__account_name", "company_name", "credit_code"]
    list_select_related = ["partner"]
    fields = CERTIFICATION_FIELDS
    readonly_fields = CERTIFICATION_FIELDS
    inlines = [CertificationMaterialInline]
    actions = ["verify", "return_selected"]

    @admin.display(description=_("bank account"))
    def masked_account(self, obj):
        return obj.masked_bank_account

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(DECIDE_PERMISSION)

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    def _decide(self, request, queryset, run):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        actor, done = _actor(request), 0
        for cert in queryset.select_related("partner"):
            try:
                run(actor, cert)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{cert.partner}: {exc.message}", messages.ERROR)
        return done

    @admin.action(description=_("Verify the selected certifications"), permissions=["decide"])
    def verify(self, request, queryset):
        done = self._decide(request, queryset, lambda actor, cert: certification.verify(
            actor, certification_id=cert.pk))
        self.message_user(request, _("%(count)d certification(s) verified.") % {"count": done})

    @admin.action(description=_("Return the selected certifications with a reason"), permissions=["decide"])
    def return_selected(self, request, queryset):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            done = self._decide(request, queryset, lambda actor, cert: certification.return_certification(
                actor, certification_id=cert.pk, reason=reason))
            self.message_user(request, _("%(count)d certification(s) returned.") % {"count": done})
            return None
        return TemplateResponse(request, "programs/agreements_admin_return.html", {
            **self.admin_site.each_context(request), "title": _("Return certifications"), "form": form,
            "queryset": queryset.filter(status=CertificationStatus.SUBMITTED).select_related("partner"),
            "selected": queryset.values_list("pk", flat=True), "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME})
