"""Display conventions, once, for every app's templates: `{% load display %}`.

    {{ amount|money }}            ¥50,000.00 in both languages; -¥5.00; "—" for None
    {{ amount|money:"" }}         50,000.00: only where the amount's own label already names the currency
                                  (a column or field headed "(CNY)", a sentence saying "CNY")
    {{ when|moment }}             2026-11-30 21:48:16, always Asia/Shanghai whatever the active time zone
    {{ when|moment:"date" }}      2026-11-30
    {% translate "Stage" %}{% colon %}{{ value }}
                                  阶段：方案 in Chinese (full-width, no space), Stage: Proposal in English;
                                  views say f"{label}{label_colon()}{value}"
    {{ name|mask }}               杭州****公司, 138****8000, zh****@example.com (no way to see more)
    {% masked value "account" %}  the masked text, or the whole value when the view revealed that field
    {% eye "account" %}           the eye toggle beside a column's or field's label (show / hide)
    {% reveal_inputs %}           hidden inputs that keep the revealed fields across a filter form

Masked fields follow the console: "单击列表字段旁边的眼睛按钮，伙伴可以查看或隐藏字段的完整内容，内容默认隐藏" —
an eye beside each masked column's label shows or hides that column's full content, hidden by default.
The whole value reaches the page only when the viewer asked for that field (`?reveal=<field>`) on a
page whose view offers it with a `Reveal` and logs the reveal: the templates cannot reveal anything on
their own, so nothing is shown in full that was not logged. Pages without a `Reveal` (confirmation and
result steps) show masked values and no eye.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import template
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnercenter.money import quantize

__all__ = ["CHINA", "CURRENCY_SIGN", "REVEAL_PARAM", "Reveal", "money", "moment", "label_colon", "mask_text", "masked",
           "eye"]

register = template.Library()

CHINA = ZoneInfo("Asia/Shanghai")
CURRENCY_SIGN = "¥"
EMPTY = "—"


# ---------------------------------------------------------------------------------------------
# Money and time
# ---------------------------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # 2.675 is "2.675" as written, not its binary expansion 2.67499…
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount.is_finite() else None


@register.filter
def money(value, sign=CURRENCY_SIGN) -> str:
    """Thousands separators and two decimals, rounded half up, the same text in every language."""
    if value is None or value == "":
        return EMPTY
    amount = _decimal(value)
    if amount is None:
        return str(value)
    try:
        amount = quantize(amount)
    except InvalidOperation:  # beyond Decimal's precision: not an amount of ours
        return str(value)
    # The sign is judged after rounding, so -0.001 shows as ¥0.00, never -¥0.00.
    return f"{'-' if amount < 0 else ''}{sign}{abs(amount):,.2f}"


def _as_moment(value):
    if isinstance(value, str):
        text = value.strip()
        return parse_datetime(text) or parse_date(text) or None
    return value


@register.filter
def moment(value, part="datetime") -> str:
    """A time as the console shows it, in China's time (UTC+8) whatever time zone is active. A naive
    datetime is taken as already being China's wall-clock time (TIME_ZONE is Asia/Shanghai)."""
    if value is None or value == "":
        return EMPTY
    when = _as_moment(value)
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(CHINA)
        return when.strftime("%Y-%m-%d" if part == "date" else "%Y-%m-%d %H:%M:%S")
    if isinstance(when, date):
        return when.strftime("%Y-%m-%d")
    return str(value)


# ---------------------------------------------------------------------------------------------
# Punctuation
# ---------------------------------------------------------------------------------------------

def label_colon() -> str:
    """What separates a label from its value in the active language: Chinese writes the full-width colon with
    no space (阶段：方案), English a colon and a space (Stage: Proposal). Typography like the decimal separator of
    Django's locale formats, so it follows the language without a catalogue entry."""
    return "：" if (get_language() or "").lower().startswith("zh") else ": "


register.simple_tag(label_colon, name="colon")


# ---------------------------------------------------------------------------------------------
# Masking
# ---------------------------------------------------------------------------------------------

_PHONE = re.compile(r"\+?[0-9][0-9 -]{9,19}")  # a mobile number: 11 digits or more


def mask_text(value) -> str:
    """The console's default masking: the middle of a name or account hidden (杭州****公司, bj****01), a
    mobile number's middle four digits (138****8000), an e-mail's mailbox but its first letters
    (zh****@example.com). Views and exports use it too (`mask_text`), so a masked value reads the same
    everywhere."""
    text = str(value or "").strip()
    if not text:
        return ""
    if "@" in text.strip("@"):
        mailbox, _at, domain = text.rpartition("@")
        return mailbox[: 1 if len(mailbox) <= 4 else 2] + "****@" + domain
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 11:
        return text[:3] + "****" + text[-4:]
    if len(text) <= 2:
        return text[:1] + "*" * (len(text) - 1)
    keep = 2 if len(text) > 5 else 1
    return text[:keep] + "*" * max(2, len(text) - 2 * keep) + text[-keep:]


register.filter("mask", mask_text)


REVEAL_PARAM = "reveal"


class Reveal:
    """The masked fields one page shows in full: those its viewer asked for (`?reveal=account&reveal=name`)
    among the ones its view offers. Build it in the view, log the reveal when it is truthy, and pass it to
    the template as `reveal`:

        reveal = Reveal(request, "account", "name")
        if reveal:
            record_reveal(request.actor, customers=page.object_list, fields=reveal.shown)
    """

    def __init__(self, request, *fields: str):
        self.request = request
        self.offered = tuple(fields)
        asked = set(request.GET.getlist(REVEAL_PARAM))
        self.shown = tuple(field for field in self.offered if field in asked)

    def __bool__(self) -> bool:
        return bool(self.shown)

    def __contains__(self, field) -> bool:
        return field in self.shown

    def toggled(self, field: str) -> str:
        """This page's query string with one field's reveal switched (filters and page kept)."""
        params = self.request.GET.copy()
        params.setlist(REVEAL_PARAM, [f for f in self.offered if (f in self.shown) != (f == field)])
        return params.urlencode()


def _reveal_of(context) -> Reveal | None:
    reveal = context.get("reveal")
    return reveal if isinstance(reveal, Reveal) else None


@register.simple_tag(takes_context=True)
def masked(context, value, field=None):
    """`value` masked, or whole when the page's `Reveal` shows `field`; "—" when there is nothing."""
    text = str(value or "").strip()
    if not text:
        return EMPTY
    reveal = _reveal_of(context)
    if field and reveal is not None and field in reveal:
        return format_html('<span class="masked revealed" data-field="{}">{}</span>', field, text)
    return format_html('<span class="masked" data-field="{}">{}</span>', field or "", mask_text(text))


# Two inline icons (no icon font, no CDN): an open eye to show, a struck-through eye to hide.
_EYE = ('<svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" focusable="false">'
        '<path d="M12 5C6.5 5 2.7 9.2 1.5 12c1.2 2.8 5 7 10.5 7s9.3-4.2 10.5-7C21.3 9.2 17.5 5 12 5zm0 11.5'
        'a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9zm0-2.5a2 2 0 1 0 0-4 2 2 0 0 0 0 4z" fill="currentColor"/></svg>')
_EYE_OFF = _EYE.replace("</svg>", '<path d="M3 3l18 18" stroke="currentColor" stroke-width="2.2" '
                                  'stroke-linecap="round"/></svg>')


@register.simple_tag(takes_context=True)
def eye(context, field):
    """The show/hide toggle beside a masked field's label; nothing on a page that offers no reveal."""
    reveal = _reveal_of(context)
    if reveal is None or field not in reveal.offered:
        return ""
    shown = field in reveal
    label = _("Hide the full content") if shown else _("Show the full content")
    return format_html(
        '<a class="eye{}" href="?{}" role="button" aria-pressed="{}" data-field="{}" title="{}" aria-label="{}">{}</a>',
        " on" if shown else "", reveal.toggled(field), "true" if shown else "false", field, label, label,
        mark_safe(_EYE if shown else _EYE_OFF))


@register.simple_tag(takes_context=True)
def reveal_inputs(context):
    """Inside a GET filter form: searching again keeps the columns the viewer chose to see."""
    reveal = _reveal_of(context)
    if not reveal:
        return ""
    return format_html_join("", '<input type="hidden" name="{}" value="{}">',
                            ((REVEAL_PARAM, field) for field in reveal.shown))
