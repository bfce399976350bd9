"""Template helpers of the customers pages. Masking, money and times are the core's: `{% load display %}`."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    params.pop("page", None) if "page" not in changes else None
    return params.urlencode()
