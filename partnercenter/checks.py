"""System checks of our own settings (`manage.py check`, and `check --deploy` in CI and before a release)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

__all__ = ["payment_sandbox"]


@register(Tags.security)
def payment_sandbox(app_configs, **kwargs):
    """The sandbox payment provider credits whatever a payer says was paid: a development and test
    double, never for a server with DEBUG off."""
    if settings.PAYMENT_SANDBOX and not settings.DEBUG:
        return [Warning(
            "PAYMENT_SANDBOX is on with DEBUG off: anyone with the recharge right can credit cash without paying.",
            hint="Unset PAYMENT_SANDBOX in production; set PAYMENT_PROVIDER to a real payment gateway, or leave it "
                 "empty to offer offline remittance only.",
            id="partnercenter.W001",
        )]
    return []
