"""System checks of the leads area: the console call backend is a development double."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

__all__ = ["console_call_backend"]

CONSOLE = "expansion.calls.ConsoleCallBackend"


@register(Tags.security)
def console_call_backend(app_configs, **kwargs):
    """With DEBUG off the console call backend only writes calls to the log: 外呼 would record calls that were
    never placed."""
    if settings.EXPANSION_CALL_BACKEND == CONSOLE and not settings.DEBUG:
        return [Warning(
            "EXPANSION_CALL_BACKEND is the console backend with DEBUG off: outbound calls (外呼) are only written to "
            "the log and recorded as connected.",
            hint="Set EXPANSION_CALL_BACKEND to the class of a real call provider (a subclass of "
                 "expansion.calls.CallBackend).",
            id="expansion.W320",
        )]
    return []
