"""The events of annual reviews (events.outbox), told to the partner's members with `programs.view`:

- `program.review_opened`: operators opened the annual review of `path` for `year` (one per partner on the
  path, key `program.review_opened:<review>:<partner>`); `opens_at`, `closes_at` (UTC wire times).
- `program.review_approved`: the partner's review was approved; its stage on `path` is now `stage`
  (`previous_stage` before).
- `program.review_returned`: the partner's review was returned with `reason`; it may correct and submit again.

Data also carries `review_id`, which the link opens (reviews/<id>/).
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["REVIEW_OPENED", "REVIEW_APPROVED", "REVIEW_RETURNED", "TYPES"]

REVIEW_OPENED = "program.review_opened"
REVIEW_APPROVED = "program.review_approved"
REVIEW_RETURNED = "program.review_returned"


def review_link(event, side):
    review_id = event.data.get("review_id")
    try:
        return page_url("programs:review", None, review_id) if review_id else page_url("programs:reviews")
    except NoReverseMatch:
        return None


TYPES = (
    EventType(REVIEW_OPENED, _("Annual review opened"), audience=Audience.PARTNER, permission="programs.view",
              summary=_("The %(year)s annual review of the path %(path)s is open from %(opens_at)s to "
                        "%(closes_at)s."),
              link=review_link),
    EventType(REVIEW_APPROVED, _("Annual review approved"), audience=Audience.PARTNER, permission="programs.view",
              summary=_("Your %(year)s annual review of the path %(path)s was approved: your stage is now "
                        "%(stage)s."),
              link=review_link),
    EventType(REVIEW_RETURNED, _("Annual review returned"), audience=Audience.PARTNER, permission="programs.view",
              summary=_("Your %(year)s annual review of the path %(path)s was returned: %(reason)s"),
              link=review_link),
)

register(*TYPES)
