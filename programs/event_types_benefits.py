"""The events of the benefits area (events.outbox), told to the partner's members:

- `specialist.decided` (`benefits.view`): an operator approved (`decision` "approved") or rejected
  (`decision` "rejected", with `reason`) the project-specialist application of `member` on `path`.
- `test_coupon.decided` (`benefits.view`): an operator approved a test-coupon application of `package`
  (with `amount` granted and `quota_id`, `quota_type`: the new quota under 券管理) or rejected it (`reason`).
- `exam_coupon.decided` (any member): an operator issued (`decision` "issued") or rejected an exam coupon
  `level` `track` of `member`. The code is never in the event: only its member reads it, on its own page.
- `badge.granted` (`benefits.view`): the partner earned the capability badge `capability`.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["SPECIALIST_DECIDED", "TEST_COUPON_DECIDED", "EXAM_COUPON_DECIDED", "BADGE_GRANTED", "TYPES"]

SPECIALIST_DECIDED = "specialist.decided"
TEST_COUPON_DECIDED = "test_coupon.decided"
EXAM_COUPON_DECIDED = "exam_coupon.decided"
BADGE_GRANTED = "badge.granted"


def _url(name, query=None):
    try:
        return page_url(name, query)
    except NoReverseMatch:
        return None


def test_coupon_link(event, side):
    """The granted quota in 券管理 (its tab of 代金券额度 / 现金券额度), else the test-coupon page."""
    data = event.data or {}
    if data.get("quota_id"):
        return _url("vouchers:quotas", {"quota_type": data.get("quota_type", 0), "quota_id": data["quota_id"]})
    return _url("programs:test_coupons")


_SPECIALIST = {
    "approved": _("%(member)s is now a project specialist of %(path)s."),
    "rejected": _("The project-specialist application of %(member)s on %(path)s was rejected: %(reason)s"),
}
_TEST_COUPON = {
    "approved": _("Your test-coupon application for %(package)s was approved: a quota of %(money)s was granted "
                  "under Coupon management."),
    "rejected": _("Your test-coupon application for %(package)s was rejected: %(reason)s"),
}
_EXAM_COUPON = {
    "issued": _("The %(level)s exam coupon (%(track)s) of %(member)s was issued."),
    "rejected": _("The %(level)s exam coupon application (%(track)s) of %(member)s was rejected: %(reason)s"),
}

TYPES = (
    EventType(SPECIALIST_DECIDED, _("Project specialist application decided"), audience=Audience.PARTNER,
              permission="benefits.view", summary=_("A project-specialist application was decided."),
              reading=lambda d: _SPECIALIST.get(d.get("decision")),
              link=lambda event, side: _url("programs:specialists")),
    EventType(TEST_COUPON_DECIDED, _("Test-coupon application decided"), audience=Audience.PARTNER,
              permission="benefits.view", summary=_("A test-coupon application was decided."),
              reading=lambda d: _TEST_COUPON.get(d.get("decision")), link=test_coupon_link),
    EventType(EXAM_COUPON_DECIDED, _("Exam coupon decided"), audience=Audience.PARTNER,
              summary=_("An exam coupon application was decided."),
              reading=lambda d: _EXAM_COUPON.get(d.get("decision")),
              link=lambda event, side: _url("programs:exam_coupons")),
    EventType(BADGE_GRANTED, _("Capability badge granted"), audience=Audience.PARTNER, permission="benefits.view",
              summary=_("You earned the capability badge %(capability)s."),
              link=lambda event, side: _url("programs:badges")),
)

register(*TYPES)
