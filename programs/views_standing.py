"""Pages of the standing area: 计划 > 华为云伙伴计划 (programmes, the partner's memberships and levels, 加入计划
with every reason it cannot, 提升等级 and 查看原因) and 发展路径 (each path's stages, where the partner is
and the next stage's checklist).

Viewing takes `programs.view`; applying (join, 提升等级) `programs.manage` and, when the partner has 验证码验证
on, a verification code. A membership of another partner is not found (404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from partnercenter.errors import DomainError
from partnercenter.forms import VerificationForm
from partnercenter.pages import form_error, member_page, posted

from . import membership as services
from .selectors_standing import joinable_program, membership_of, programme_rows
from .standing import restrict_links, standing_of

__all__ = ["programs", "join", "upgrade", "level_reasons", "paths", "new_account_url"]


def new_account_url(path, actor=None) -> str | None:
    """注册新账号 for `path` (the access area's page, which takes programs.manage), when it is mounted and
    `actor` may open it."""
    if path is None or (actor is not None and not actor.has_perm(services.PERMISSION)):
        return None
    try:
        return reverse("programs:new_account", kwargs={"code": path.code})
    except NoReverseMatch:
        return None


@member_page("programs.view")
def programs(request):
    actor = request.actor
    return render(request, "programs/standing_programs.html", {
        "rows": programme_rows(actor), "can_manage": actor.has_perm(services.PERMISSION)})


@member_page(services.PERMISSION)
def join(request, code):
    actor = request.actor
    program = joinable_program(code)
    if program is None:
        raise Http404
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.join(actor, program_code=program.code, verification_code=form.code)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your application to join %(program)s has been submitted.") % {
                "program": program.name})
            return redirect("programs:programs")
    return render(request, "programs/standing_join.html", {
        "program": program, "form": form, "refusals": services.refusals_to_join(actor.partner, program)})


def _membership_or_404(request, pk):
    membership = membership_of(request.actor, pk)
    if membership is None:
        raise Http404
    return membership


def _reasons_context(request, membership):
    level, refusals = services.level_refusals(request.actor.partner, membership)
    actor = request.actor
    rows = [{"refusal": r, "new_account_url": new_account_url(r.path, actor) if r.code == "not_on_path" else None}
            for r in refusals]
    return {"membership": membership, "level": level, "reasons": rows}


@member_page(services.PERMISSION)
def upgrade(request, pk):
    """提升等级: the next level, asked for with a confirmation (and the code); the reasons when it cannot."""
    actor = request.actor
    membership = _membership_or_404(request, pk)
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_level(actor, membership_id=membership.pk, verification_code=form.code)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your request for a higher level has been submitted."))
            return redirect("programs:programs")
    context = _reasons_context(request, membership)
    context["form"] = form
    return render(request, "programs/standing_upgrade.html", context)


@member_page("programs.view")
def level_reasons(request, pk):
    """查看原因: why the level cannot be raised now, with where to act (注册新账号, the paths page)."""
    membership = _membership_or_404(request, pk)
    return render(request, "programs/standing_reasons.html", _reasons_context(request, membership))


@member_page("programs.view")
def paths(request):
    actor = request.actor
    standing = standing_of(actor.partner)
    restrict_links(standing.paths, actor)
    return render(request, "programs/standing_paths.html", {
        "standing": standing,
        "rows": [{"ps": ps, "new_account_url": None if ps.enrolled else new_account_url(ps.path, actor)}
                 for ps in standing.paths],
    })
