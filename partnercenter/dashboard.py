"""The home page's tiles (主页: what needs doing), registered by the apps.

The core imports no domain app (ARCHITECTURE rule 11): each app registers its tiles from its
AppConfig.ready() (customers/dashboard.py, billing/dashboard.py, vouchers/dashboard.py), and `home`
shows those the viewer may see. A tile is one number computed for the viewer through the app's
selectors — so an account manager counts its own customers only — and the link to the list that shows
exactly those rows. A new tile is one call:

    dashboard.register(Tile(
        "billing.consumption", _("Consumption this month"), permission="billing.view", order=25, money=True,
        value=lambda actor: selectors.consumption_this_month(actor),
        url=lambda actor: reverse("billing:ledger") + "?trade_type=DEDEUCT"))

or, for a count of a list page's rows under a filter, `list_tile(...)`, which counts with the page's own
FilterSet and links with the same query, so the number and the list agree by construction.

The home page runs every visible tile's statement on each visit: a value must be one statement served
by an index or a counter (partnercenter.api.pagination: `counted` lists), never a scan that grows with
a table. Reads several tiles share (the partner account behind 账户余额 and its parts) go through
`shared()`, once per page.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable
from weakref import WeakKeyDictionary

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .api.pagination import count

__all__ = ["Tile", "Shown", "register", "unregister", "tiles_for", "shared", "list_tile", "TODO", "MONEY", "BOOK"]

# Sections of the home page, in this order; a tile names its own.
MONEY = _("Account overview")
TODO = _("What needs doing")
BOOK = _("Your book")
SECTIONS = (MONEY, TODO, BOOK)


@dataclass(frozen=True)
class Tile:
    key: str                                    # unique: "customers.resale"
    label: object                               # lazy translation
    value: Callable[[object], int | Decimal]    # (actor) -> the number, scoped to the actor
    url: str | Callable[[object], str] = ""     # the filtered list (a path, or (actor) -> path)
    permission: str = ""                        # a member must hold it to see the tile ("" = any member)
    order: int = 100                            # within its section, smaller first
    section: object = BOOK
    money: bool = False                         # shown with |money (¥1,234.50)
    part_of: str = ""                           # the key of the tile this one is a part of (shown under it)
    todo: bool = False                          # a non-zero number is something to do: highlighted
    visible: Callable[[object], bool] | None = None   # beyond the permission (e.g. distributors only)


@dataclass
class Shown:
    """A tile as one viewer sees it."""

    tile: Tile
    value: int | Decimal
    url: str
    parts: list["Shown"] = field(default_factory=list)

    @property
    def label(self):
        return self.tile.label

    @property
    def needs_doing(self) -> bool:
        return self.tile.todo and bool(self.value)


_TILES: dict[str, Tile] = {}


def register(*tiles: Tile) -> None:
    """Add (or replace, by key) tiles; apps call it from ready()."""
    for tile in tiles:
        _TILES[tile.key] = tile


def unregister(key: str) -> None:
    _TILES.pop(key, None)


def _may_see(tile: Tile, actor) -> bool:
    if tile.permission and not actor.has_perm(tile.permission):
        return False
    return tile.visible is None or tile.visible(actor)


def _show(tile: Tile, actor) -> Shown:
    url = tile.url(actor) if callable(tile.url) else tile.url
    return Shown(tile, tile.value(actor), url or "")


def tiles_for(actor) -> list[tuple[object, list[Shown]]]:
    """[(section, [tile with its parts, …]), …] that the actor may see, each section and tile in order.
    A part is shown only with its tile."""
    if not actor.is_partner:
        return []
    allowed = sorted((t for t in _TILES.values() if _may_see(t, actor)), key=lambda t: (t.order, t.key))
    tops = {t.key: _show(t, actor) for t in allowed if not t.part_of}
    for tile in allowed:
        if tile.part_of in tops:
            tops[tile.part_of].parts.append(_show(tile, actor))
    sections = []
    for section in SECTIONS:
        shown = [s for s in tops.values() if str(s.tile.section) == str(section)]
        if shown:
            sections.append((section, shown))
    return sections


_SHARED: "WeakKeyDictionary[object, dict]" = WeakKeyDictionary()


def shared(actor, key: str, compute: Callable[[], object]):
    """A read several tiles of one page use, made once per actor (one request's)."""
    memo = _SHARED.setdefault(actor, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def list_tile(key, label, *, filterset, queryset, params, url_name, counter=None, **options) -> Tile:
    """A tile counting a list page's rows under a filter and linking to that page with it.

    `queryset(actor)` is the page's own scoped queryset (its selector), `filterset` the page's FilterSet,
    `params(actor)` (or a dict) the query string. By default the count goes through the page's FilterSet,
    so the number is the page's total by construction; it needs an index on the filtered columns (or,
    unfiltered, the list's counter). Where the page's query is costly to count, `counter(actor)` counts
    the same rows a cheaper way (the home page's tests compare it with the list)."""
    def query(actor) -> dict:
        return params(actor) if callable(params) else dict(params)

    def value(actor) -> int:
        if counter is not None:
            return counter(actor)
        return count(filterset(query(actor), queryset=queryset(actor)).qs)

    def url(actor) -> str:
        return f"{reverse(url_name)}?{urlencode(query(actor), doseq=True)}"

    return Tile(key, label, value=value, url=url, **options)


# -- the core's own tiles ------------------------------------------------------------------------

def _core_tiles() -> tuple[Tile, ...]:
    from . import selectors

    return (
        Tile("org.members", _("Members"), permission="org.view_members", order=900,
             value=lambda actor: selectors.members_for(actor).count(), url=lambda actor: reverse("members")),
        Tile("resellers", _("Cloud resellers"), permission="resellers.view", order=910,
             value=lambda actor: selectors.resellers_for(actor).count(), url=lambda actor: reverse("resellers")),
        Tile("credentials", _("Access keys"), permission="credentials.manage", order=920,
             value=lambda actor: selectors.access_keys_for(actor).count(), url=lambda actor: reverse("credentials")),
    )


register(*_core_tiles())
