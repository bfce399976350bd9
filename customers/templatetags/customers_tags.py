"""Template helpers of the customers pages."""

from django import template

register = template.Library()


@register.filter
def mask(value) -> str:
    """Hide the middle of a name or account as the console does by default: 杭州****公司, bj****01."""
    text = str(value or "")
    if len(text) <= 2:
        return text[:1] + "*" * (len(text) - 1)
    keep = 2 if len(text) > 5 else 1
    return text[:keep] + "*" * max(2, len(text) - 2 * keep) + text[-keep:]


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
