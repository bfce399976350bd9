"""Blocks domain apps add to the core's pages, without the core importing them (ARCHITECTURE rule 11):

- home panels: a module of 主页 (e.g. 发展路径) — a template and the context it needs for the viewer;
- banners: a line above every partner page (e.g. a new agreement to sign, "从XXXX年XX月XX日00:00:00起…").

An app registers from its AppConfig.ready():

    panels.register_home_panel(HomePanel("programs.paths", "programs/_home_paths.html", paths_context, order=10))
    panels.register_banner("programs.agreement", agreement_banners)

A panel's `context(actor)` returns None to stay hidden; a banner source `(request) -> list[Banner]` must be
cheap (it runs on every partner page: one indexed statement at most) and is only asked for members.
"""

from dataclasses import dataclass
from typing import Callable

from django.utils.functional import SimpleLazyObject

__all__ = ["HomePanel", "Banner", "register_home_panel", "register_banner", "home_panels_for", "context_processor"]


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[object], dict | None]     # (actor) -> the template's context, or None to hide it
    order: int = 100


@dataclass(frozen=True)
class Banner:
    text: str
    url: str = ""
    link_label: str = ""
    level: str = "info"                           # info | warning


_PANELS: dict[str, HomePanel] = {}
_BANNERS: dict[str, Callable] = {}


def register_home_panel(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def register_banner(key: str, source: Callable) -> None:
    _BANNERS[key] = source


def home_panels_for(actor) -> list[tuple[HomePanel, dict]]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(actor)
        if context is not None:
            shown.append((panel, context))
    return shown


def _banners(request) -> list[Banner]:
    return [banner for source in _BANNERS.values() for banner in source(request)]


def context_processor(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_partner or actor.member is None:
        return {}
    return {"banners": SimpleLazyObject(lambda: _banners(request))}
