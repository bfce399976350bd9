"""事件推送 (webhooks) pages under Organization: the endpoints, one endpoint with its delivery log, and the
writes on them. Thin: scoped reads from events.webhook_selectors, writes through events.webhook_services.
A page showing a signing secret is never cached (`Cache-Control: no-store`)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.confirmation import two_step
from partnercenter.errors import DomainError
from partnercenter.forms import VerificationForm
from partnercenter.pages import form_error, member_page, paginate, posted

from . import webhook_selectors as selectors, webhook_services as services
from .webhook_forms import DeliveryFilter, EndpointForm, EndpointTypesForm

__all__ = [
    "endpoint_list", "endpoint_create", "endpoint_detail", "endpoint_edit", "endpoint_enable", "endpoint_rotate",
    "endpoint_delete", "endpoint_test", "delivery_redeliver",
]

PERMISSION = selectors.PERMISSION
PER_PAGE = 20


def _endpoint_or_404(request, uid):
    endpoint = selectors.endpoint_for(request.actor, uid)
    if endpoint is None:
        raise Http404
    return endpoint


def _secret_page(request, endpoint, secret, *, rotated=False):
    response = render(request, "events/webhooks/secret.html", {
        "endpoint": endpoint, "secret": secret, "rotated": rotated, "overlap_hours": 24})
    response["Cache-Control"] = "no-store"
    return response


@member_page(PERMISSION)
def endpoint_list(request):
    return render(request, "events/webhooks/list.html", {
        "endpoints": list(selectors.endpoints_for(request.actor)), "max_endpoints": services.MAX_ENDPOINTS})


@member_page(PERMISSION)
def endpoint_create(request):
    actor = request.actor
    form = EndpointForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(
                actor, url=form.cleaned_data["url"], types=form.cleaned_data["types"],
                description=form.cleaned_data["description"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            return _secret_page(request, endpoint, secret)
    return render(request, "events/webhooks/form.html", {"form": form, "title": _("Add webhook endpoint")})


@member_page(PERMISSION)
def endpoint_detail(request, uid):
    endpoint = _endpoint_or_404(request, uid)
    deliveries = DeliveryFilter(request.GET or None, queryset=selectors.deliveries_of(endpoint), request=request)
    return render(request, "events/webhooks/detail.html", {
        "endpoint": endpoint, "filter": deliveries, "page": paginate(request, deliveries.qs, PER_PAGE)})


@member_page(PERMISSION)
def endpoint_edit(request, uid):
    actor = request.actor
    endpoint = _endpoint_or_404(request, uid)
    form = EndpointTypesForm(posted(request), actor=actor,
                             initial={"types": endpoint.types, "description": endpoint.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(actor, webhook_id=endpoint.uid, types=form.cleaned_data["types"],
                                     description=form.cleaned_data["description"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Webhook endpoint updated."))
            return redirect("webhooks:detail", uid=endpoint.uid)
    return render(request, "events/webhooks/form.html", {
        "form": form, "endpoint": endpoint, "title": _("Change webhook endpoint")})


@member_page(PERMISSION)
def endpoint_enable(request, uid, enabled):
    actor = request.actor
    endpoint = _endpoint_or_404(request, uid)
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_endpoint_enabled(actor, webhook_id=endpoint.uid, enabled=enabled, verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Webhook endpoint enabled.") if enabled else _("Webhook endpoint disabled."))
            return redirect("webhooks:detail", uid=endpoint.uid)
    question = (_("Enable the endpoint %(url)s? Events are sent to it again from now on.") if enabled else
                _("Disable the endpoint %(url)s? No events are sent to it until it is enabled again."))
    return render(request, "partnercenter/confirm.html", {
        "form": form, "title": _("Enable webhook endpoint") if enabled else _("Disable webhook endpoint"),
        "question": question % {"url": endpoint.url}, "danger": not enabled,
        "cancel_url": reverse("webhooks:detail", kwargs={"uid": endpoint.uid}),
    })


def _two_step_page(request, endpoint, *, run, title, question, danger):
    form = forms.Form(posted(request))  # nothing to type on the first step: the question is the step
    step = two_step(request, form, run)
    if step.done:
        return step
    return render(request, "events/webhooks/confirm.html", {
        "endpoint": endpoint, "form": form, "title": title, "question": question, "danger": danger,
        "cancel_url": reverse("webhooks:detail", kwargs={"uid": endpoint.uid}), **step.context,
    })


@member_page(PERMISSION)
def endpoint_rotate(request, uid):
    actor = request.actor
    endpoint = _endpoint_or_404(request, uid)
    outcome = _two_step_page(
        request, endpoint, title=_("Rotate signing secret"), danger=False,
        question=_("Make a new signing secret for %(url)s? For 24 hours deliveries are signed with both the old "
                   "and the new secret; after that only with the new one.") % {"url": endpoint.url},
        run=lambda code: services.rotate_secret(actor, webhook_id=endpoint.uid, verification_code=code))
    if getattr(outcome, "done", False):
        endpoint, secret = outcome.result
        return _secret_page(request, endpoint, secret, rotated=True)
    return outcome


@member_page(PERMISSION)
def endpoint_delete(request, uid):
    actor = request.actor
    endpoint = _endpoint_or_404(request, uid)
    outcome = _two_step_page(
        request, endpoint, title=_("Delete webhook endpoint"), danger=True,
        question=_("Delete the endpoint %(url)s and its delivery log? Events are no longer sent to it. This cannot "
                   "be undone.") % {"url": endpoint.url},
        run=lambda code: services.delete_endpoint(actor, webhook_id=endpoint.uid, verification_code=code))
    if getattr(outcome, "done", False):
        messages.success(request, _("Webhook endpoint %(url)s deleted.") % {"url": endpoint.url})
        return redirect("webhooks:list")
    return outcome


def _say(request, attempt, *, what):
    if attempt is None:
        messages.info(request, _("%(what)s: queued; the delivery log shows the result.") % {"what": what})
    elif attempt.succeeded:
        messages.success(request, _("%(what)s: delivered, HTTP %(status)s in %(ms)s ms.") % {
            "what": what, "status": attempt.status_code, "ms": attempt.latency_ms})
    else:
        outcome = attempt.error or (_("HTTP %(status)s") % {"status": attempt.status_code})
        messages.error(request, _("%(what)s: failed (%(outcome)s).") % {"what": what, "outcome": outcome})


@member_page(PERMISSION)
@require_POST
def endpoint_test(request, uid):
    endpoint = _endpoint_or_404(request, uid)
    try:
        _delivery, attempt = services.send_test(request.actor, webhook_id=endpoint.uid)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        _say(request, attempt, what=_("Test event"))
    return redirect("webhooks:detail", uid=endpoint.uid)


@member_page(PERMISSION)
@require_POST
def delivery_redeliver(request, uid, pk):
    endpoint = _endpoint_or_404(request, uid)
    if selectors.delivery_of(endpoint, pk) is None:
        raise Http404
    try:
        attempt = services.redeliver(request.actor, webhook_id=endpoint.uid, delivery_id=pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        _say(request, attempt, what=_("Redelivery"))
    return redirect("webhooks:detail", uid=endpoint.uid)
