"""System checks of our own settings (`manage.py check`, and `check --deploy` in CI and before a release)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

__all__ = ["payment_sandbox", "workday_calendar_years"]


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


@register()
def workday_calendar_years(app_configs, **kwargs):
    """chinese-calendar knows only the years it was released for; past them the SLAs count weekends only
    (plus the operators' overrides). Warn while there is time to upgrade it or enter the official notice."""
    from .workdays import known_years, unknown_years

    years = unknown_years()
    if not years:
        return []
    known = known_years()
    return [Warning(
        f"chinese-calendar {getattr(__import__('chinese_calendar'), '__version__', '?')} knows the years "
        f"{known.start}–{known.stop - 1} only; {', '.join(map(str, years))} will count only weekends and the fixed-date holidays (1 January, 1–2 May, 1–3 October) as days off.",
        hint="Upgrade chinese-calendar once it covers the year, or add the State Council's holidays and adjusted "
             "working days as working-day overrides in the admin.",
        id="partnercenter.W002",
    )]
