"""The events of the standing area (events.outbox), told to the partner's members with `programs.view`:

- `program.membership_decided`: an operator approved (`decision` "approved", with `level`) or rejected
  (`decision` "rejected", with `reason`) the partner's application to join `program`.
- `program.membership_ended`: an operator ended the partner's membership of `program` with `reason`
  (programs/leaving.py).
- `program.level_decided`: an operator approved or rejected a 提升等级 request to `level` of `program`.
- `program.stage_advanced`: the partner moved to `stage` on `path` (operators, when its requirements were met).
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["MEMBERSHIP_DECIDED", "MEMBERSHIP_ENDED", "LEVEL_DECIDED", "STAGE_ADVANCED", "TYPES"]

MEMBERSHIP_DECIDED = "program.membership_decided"
MEMBERSHIP_ENDED = "program.membership_ended"
LEVEL_DECIDED = "program.level_decided"
STAGE_ADVANCED = "program.stage_advanced"


def _link(name):
    def link(event, side):
        try:
            return page_url(name)
        except NoReverseMatch:
            return None
    return link


_MEMBERSHIP = {
    "approved": _("You have joined %(program)s at the level %(level)s."),
    "rejected": _("Your application to join %(program)s was rejected: %(reason)s"),
}
_LEVEL = {
    "approved": _("Your partner level in %(program)s is now %(level)s."),
    "rejected": _("Your request for the level %(level)s of %(program)s was rejected: %(reason)s"),
}

TYPES = (
    EventType(MEMBERSHIP_DECIDED, _("Programme application decided"), audience=Audience.PARTNER,
              permission="programs.view", summary=_("Your application to join %(program)s was decided."),
              reading=lambda d: _MEMBERSHIP.get(d.get("decision")), link=_link("programs:programs")),
    EventType(MEMBERSHIP_ENDED, _("Programme membership ended"), audience=Audience.PARTNER,
              permission="programs.view", summary=_("Your membership of %(program)s has ended: %(reason)s"),
              link=_link("programs:programs")),
    EventType(LEVEL_DECIDED, _("Level request decided"), audience=Audience.PARTNER, permission="programs.view",
              summary=_("Your level request in %(program)s was decided."),
              reading=lambda d: _LEVEL.get(d.get("decision")), link=_link("programs:programs")),
    EventType(STAGE_ADVANCED, _("Development path stage reached"), audience=Audience.PARTNER,
              permission="programs.view", summary=_("You reached the stage %(stage)s on the path %(path)s."),
              link=_link("programs:paths")),
)

register(*TYPES)
