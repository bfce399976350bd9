"""The catalogue of event types. Each domain app registers its types in its AppConfig.ready()
(e.g. customers/event_types.py), so the events app knows nothing of the domains.

A type says who hears about it (`audience`), which member permission a partner's member needs to be
told (`permission`, checked with the member's data scope when the event names a customer), how a
notification reads (`summary`, a format string over the event's data), and where it links (`link`, a
function of the event returning a URL for the viewer's side, or None)."""

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Callable

from django.utils.translation import gettext_lazy as _

from partnercenter.api.fields import WIRE_TIME_FORMAT
from partnercenter.money import format_amount
from partnercenter.templatetags.display import CHINA

from .choices import Audience

__all__ = ["EventType", "register", "get", "all_types", "PING", "PARTNER_SIDE", "CUSTOMER_SIDE"]

PARTNER_SIDE, CUSTOMER_SIDE = "partner", "customer"  # who reads: a partner's member, a customer's user


@dataclass(frozen=True)
class EventType:
    code: str                       # dotted, on the wire: "customer.associated"
    label: object                   # lazy translation: "Customer associated"
    audience: str = Audience.PARTNER
    permission: str = ""            # a partner member must hold it to be told ("" = any member)
    summary: object = ""            # lazy translation with %(field)s placeholders over event.data
    link: Callable | None = None    # link(event, side) -> url or None; side is "partner" or "customer"
    webhook: bool = True            # offered to webhook endpoints
    notify: bool = True             # creates in-app notifications
    # The partner's summary chosen by the data (a request's kind, a decision, who received the money), or
    # None for `summary`; the customer side reads `customer_summary` (written to the customer) when set.
    reading: Callable[[dict], object] | None = None
    customer_summary: object = ""
    money_field: str = "amount"     # offered as %(money)s: ¥1,234.50, as every page shows money

    def text(self, data: dict, side: str = PARTNER_SIDE) -> str:
        data = _readable(dict(data or {}), self.money_field)
        summary = self.summary
        if side == CUSTOMER_SIDE and self.customer_summary:
            summary = self.customer_summary
        elif self.reading is not None:
            summary = self.reading(data) or summary
        if not summary:
            return str(self.label)
        try:
            return str(summary) % _Default(data)
        except (TypeError, ValueError):
            return str(self.label)


def _readable(data: dict, money_field: str) -> dict:
    """The data as a notification shows it: the amount as money, wire times (UTC) in China time."""
    if data.get(money_field) not in (None, ""):
        try:
            data["money"] = f"¥{format_amount(data[money_field])}"
        except (ArithmeticError, TypeError, ValueError):
            pass
    for name, value in list(data.items()):
        if isinstance(value, str) and len(value) == 20 and value.endswith("Z"):
            try:
                moment = datetime.strptime(value, WIRE_TIME_FORMAT).replace(tzinfo=dt_timezone.utc)
            except ValueError:
                continue
            data[name] = moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    return data


class _Default(dict):
    def __missing__(self, key):
        return ""


_TYPES: dict[str, EventType] = {}


def register(*types: EventType) -> None:
    for event_type in types:
        _TYPES[event_type.code] = event_type


def get(code: str) -> EventType | None:
    return _TYPES.get(code)


def all_types(*, webhook: bool | None = None, audience: str | None = None) -> list[EventType]:
    chosen = sorted(_TYPES.values(), key=lambda t: t.code)
    if webhook is not None:
        chosen = [t for t in chosen if t.webhook == webhook]
    if audience is not None:
        chosen = [t for t in chosen if t.audience in (audience, Audience.BOTH)]
    return chosen


PING = EventType("ping", _("Test event"), notify=False,
                 summary=_("A test event sent to a webhook endpoint."))
register(PING)
