"""Payment providers for online recharge.

`settings.PAYMENT_PROVIDER` names a real gateway's class (a subclass of PaymentProvider). The sandbox,
which credits a payment when the payer clicks "succeeded", is a test double: it exists only where
`settings.PAYMENT_SANDBOX` is on (`make run`, the tests). Without either, `provider()` is None and
online recharge is unavailable; offline remittance still works.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from .choices import RechargeMethod, RechargeStatus

__all__ = ["PaymentProvider", "SandboxProvider", "provider", "sandbox_enabled", "sandbox_url"]


class PaymentProvider:
    name = "abstract"

    def create_payment(self, recharge) -> str:
        """Register the payment with the gateway; return its reference."""
        raise NotImplementedError

    def payment_url(self, recharge) -> str:
        """Where the payer goes to pay."""
        raise NotImplementedError


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_payment(self, recharge) -> str:
        return f"SANDBOX-{recharge.trans_id[:16].upper()}"

    def payment_url(self, recharge) -> str:
        return reverse("billing:sandbox_pay", args=[recharge.trans_id])


def provider() -> PaymentProvider | None:
    """The configured real gateway; else the sandbox where settings enable it; else None (no online recharge)."""
    if settings.PAYMENT_PROVIDER:
        return import_string(settings.PAYMENT_PROVIDER)()
    if settings.PAYMENT_SANDBOX:
        return SandboxProvider()
    return None


def sandbox_enabled() -> bool:
    """Whether the sandbox is the provider in use: only then may a payer complete a payment by a click."""
    return isinstance(provider(), SandboxProvider)


def sandbox_url(recharge) -> str | None:
    """Where the payer can still finish this recharge in the sandbox, if anywhere."""
    if (recharge.method == RechargeMethod.ONLINE and recharge.status == RechargeStatus.PENDING
            and recharge.provider == SandboxProvider.name and sandbox_enabled()):
        return reverse("billing:sandbox_pay", args=[recharge.trans_id])
    return None
