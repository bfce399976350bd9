"""What the standing area registers when the app starts: its operation-log labels, error codes, event types
and the home page's 发展路径 panel (programs/templates/programs/_home_paths.html)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnercenter import panels
from partnercenter.oplog import register_actions

from . import errors_standing, event_types_standing  # noqa: F401  (codes and event types)

register_actions({
    "programs.join": _("Apply to join a partner programme"),
    "programs.decide_membership": _("Decide a programme application"),
    "programs.request_level": _("Ask for a higher partner level"),
    "programs.decide_level": _("Decide a level request"),
    "programs.advance_stage": _("Advance to the next stage of a development path"),
    "programs.enrol": _("Put a partner on a development path"),
    "programs.confirm_requirement": _("Confirm a stage requirement"),
    "programs.revoke_confirmation": _("Withdraw a requirement confirmation"),
    "programs.solution_record": _("Record a certified solution"),
    "programs.solution_update": _("Correct a certified solution"),
    "programs.solution_remove": _("Remove a certified solution"),
})


def paths_context(actor):
    """The 发展路径 panel: the paths the partner is on, each with its stage and what the next stage misses;
    hidden from members without programs.view. A constant number of statements (programs.standing)."""
    if not actor.is_partner or actor.member is None or not actor.has_perm("programs.view"):
        return None
    from .standing import home_summary, restrict_links

    paths = home_summary(actor.partner)
    restrict_links(paths, actor)
    return {"paths": paths, "paths_url": reverse("programs:paths")}


panels.register_home_panel(panels.HomePanel("programs.paths", "programs/_home_paths.html", paths_context, order=10))
