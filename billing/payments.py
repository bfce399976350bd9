"""Payment providers for online recharge. `settings.PAYMENT_PROVIDER` names the class; the default
sandbox completes or fails a payment on command (a page the payer clicks, or a test), so the whole
flow runs without a real gateway. A real provider implements the same two methods."""

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["PaymentProvider", "SandboxProvider", "provider"]


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
        from django.urls import reverse

        return reverse("billing:sandbox_pay", args=[recharge.trans_id])


def provider() -> PaymentProvider:
    return import_string(getattr(settings, "PAYMENT_PROVIDER", "billing.payments.SandboxProvider"))()
