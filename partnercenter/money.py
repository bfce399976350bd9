"""Money is Decimal, to the fen. One parser for every amount a user or client sends, one quantizer."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import Codes, DomainError

__all__ = ["FEN", "ZERO", "parse_amount", "quantize", "format_amount"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)


def parse_amount(value, *, allow_zero=False) -> Decimal:
    """A positive amount with at most two decimals; anything else is CBC.0100, never rounded silently."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(Codes.PARAMETER, _("The amount is not a number.")) from None
    if not amount.is_finite():
        raise DomainError(Codes.PARAMETER, _("The amount is not a number."))
    if amount != amount.quantize(FEN):
        raise DomainError(Codes.PARAMETER, _("The amount may have at most two decimals."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(Codes.PARAMETER, _("The amount must be greater than zero."))
    if amount > MAX_AMOUNT:
        raise DomainError(Codes.PARAMETER, _("The amount is too large."))
    return amount.quantize(FEN)


def quantize(value) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_amount(value) -> str:
    return f"{quantize(value):,.2f}"
