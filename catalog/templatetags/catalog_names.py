"""The catalogue's names in place of codes, for every app's templates: `{% load catalog_names %}`.

    {{ code|service_type_name }}           弹性云服务器 (Elastic Cloud Server in English); the code when unknown
    {{ code|service_type_name:fallback }}  the fallback (e.g. a name stored with a resource) when the
                                           catalogue has no such code, then the code
    {{ code|resource_type_name }}          云主机
    {{ code|region_name }}                 华北-北京四
    {{ code|usage_type_name }}             时长 (a usage type: Duration)
    {{ codes|service_type_labels }}        a list of service types: each name with its code as a tooltip,
                                           separated by commas

Names are in the active language and come from the catalogue's process cache (catalog.selectors), so a
list page costs no query per row.
"""

from django import template
from django.utils.html import format_html, format_html_join

from .. import selectors

__all__ = ["service_type_name", "resource_type_name", "region_name", "usage_type_name", "service_type_labels"]

register = template.Library()


def _named(rows: dict, code, fallback):
    row = rows.get(code) if code else None
    if row is not None:
        return row.display_name
    return fallback or code or ""


@register.filter
def service_type_name(code, fallback=""):
    return _named(selectors.service_type_names(), code, fallback)


@register.filter
def resource_type_name(code, fallback=""):
    return _named(selectors.resource_type_names(), code, fallback)


@register.filter
def region_name(code, fallback=""):
    return _named(selectors.region_names(), code, fallback)


@register.filter
def usage_type_name(code, fallback=""):
    return _named(selectors.usage_type_names(), code, fallback)


@register.filter
def service_type_labels(codes):
    """Service type names of a list of codes (a coupon's or quota's limits), each with its code as a tooltip."""
    if not codes:
        return ""
    rows = selectors.service_type_names()
    return format_html_join(", ", '<span class="catalog-name" title="{}">{}</span>',
                            ((code, _named(rows, code, "")) for code in codes))


@register.simple_tag
def coded(name, code):
    """A name with its code as secondary text (`<small class="muted"><code>…</code></small>`); the code
    alone when the name is the code."""
    if not code or name == code:
        return format_html("<code>{}</code>", code or "")
    return format_html('{} <small class="muted coded"><code>{}</code></small>', name, code)
