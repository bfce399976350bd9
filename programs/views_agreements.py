"""Pages of agreements (签署协议) and business information certification (商业信息认证), names `programs:…`:

- `programs:agreements` — the agreements the partner must sign or signed: signed / unsigned, who signed when;
- `programs:agreement` — one agreement's text; a member with `programs.manage` ticks 我已阅读并同意本协议 and
  confirms (with the verification code when the partner asks for one) to sign it;
- `programs:certification` — the certification's state and details (bank account masked); members with
  `programs.manage` save and submit them.

Reading takes `programs.view`; a POST without `programs.manage` is 403. An agreement the partner may not open
(another programme's, another partner's) is 404. Services decide (programs.agreements, programs.certification).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from partnercenter.confirmation import two_step
from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate, posted

from . import agreements, certification, selectors_agreements as selectors
from .errors_agreements import AgreementCodes
from .forms_agreements import CertificationForm, SignForm

__all__ = ["agreement_list", "agreement_detail", "certification_page"]

VIEW, MANAGE = agreements.VIEW, agreements.MANAGE


def _require_manage_to_post(request):
    if request.method == "POST" and not request.actor.has_perm(MANAGE):
        raise PermissionDenied


@member_page(VIEW)
def agreement_list(request):
    actor = request.actor
    page = paginate(request, selectors.agreements_for(actor))
    return render(request, "programs/agreements_list.html", {
        "page": page, "contracting_entity": actor.partner.contracting_entity, "can_manage": actor.has_perm(MANAGE)})


@member_page(VIEW)
def agreement_detail(request, pk):
    actor = request.actor
    agreement = selectors.agreement_for(actor, pk)
    if agreement is None:
        raise Http404
    _require_manage_to_post(request)
    signature = selectors.signature_of(actor, agreement)
    if signature is not None and request.method == "POST":  # a second submit: it is signed, nothing to do
        messages.info(request, _("This agreement is already signed."))
        return redirect("programs:agreement", pk=agreement.pk)
    form = SignForm(posted(request))
    context = {"agreement": agreement, "signature": signature, "form": form,
               "can_sign": signature is None and actor.has_perm(MANAGE)}
    if context["can_sign"]:
        step = two_step(request, form, lambda code: agreements.sign(
            actor, agreement_id=agreement.pk, accepted=form.cleaned_data["accepted"],
            user_agent=request.META.get("HTTP_USER_AGENT", ""), verification_code=code))
        if step.done:
            messages.success(request, _("You signed %(title)s.") % {"title": agreement.title})
            return redirect("programs:agreement", pk=agreement.pk)
        context.update(step.context)
    return render(request, "programs/agreements_detail.html", context)


def _material_url(material) -> str:
    """The guarded download of an uploaded material (the reviews area's view), when it is mounted."""
    for name in ("programs:material", "programs:material_download"):
        try:
            return reverse(name, args=[material.pk])
        except NoReverseMatch:
            continue
    return ""


def _initial(cert) -> dict:
    if cert is None:
        return {}
    return {name: getattr(cert, name) for name in certification.DETAIL_FIELDS}


@sensitive_post_parameters("bank_account")   # never in an error report
@member_page(VIEW)
def certification_page(request):
    actor = request.actor
    _require_manage_to_post(request)
    cert = certification.certification_of(actor.partner)
    editable = actor.has_perm(MANAGE) and (cert is None or cert.status in certification.EDITABLE)
    if request.method == "POST" and not editable:
        messages.error(request, str(DomainError(AgreementCodes.CERT_LOCKED).message))
        return redirect("programs:certification")
    form = None
    if editable:
        form = CertificationForm(posted(request), request.FILES or None, actor=actor, initial=_initial(cert),
                                 masked_account=cert.masked_bank_account if cert else "", licence_field=True)
        if request.method == "POST" and form.is_valid():
            if _save(request, form, submit=request.POST.get("action") == "submit"):
                return redirect("programs:certification")
    materials = list(cert.materials.all()) if cert is not None else []
    for material in materials:
        material.url = _material_url(material)
    return render(request, "programs/agreements_certification.html", {
        "cert": cert, "form": form, "editable": editable, "materials": materials})


def _save(request, form, *, submit: bool) -> bool:
    """Save the details (and the licence), then submit when asked. True when everything asked was done."""
    actor = request.actor
    data = dict(form.cleaned_data)
    licence = data.pop("licence", None)
    data.pop("verification_code", None)
    try:
        saved = certification.save_details(actor, **data)
    except DomainError as exc:
        form_error(request, form, exc)
        return False
    if licence:
        try:
            certification.replace_licence(actor, certification=saved, upload=licence)
        except DomainError as exc:
            form_error(request, form, exc)
            messages.success(request, _("The business information was saved."))
            return False
    if not submit:
        messages.success(request, _("The business information was saved. Submit it when it is complete."))
        return True
    try:
        certification.submit(actor, verification_code=form.code)
    except DomainError as exc:
        form.add_error(None, _("Saved, but not submitted: %(reason)s") % {"reason": exc.message})
        return False
    messages.success(request, _("The business information was submitted for verification."))
    return True
