"""Money is Decimal, to the fen. One parser for every amount a user or client sends, one quantizer."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .errors import Codes, DomainError

__all__ = ["FEN", "ZERO", "parse_amount", "quantize", "format_amount"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)
# Plain decimal notation only: ASCII digits and at most one dot. No exponent, no "_", no full-width digits.
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def _plain_text(value) -> str | None:
    """The text of an amount as the client wrote it: a string, an int, or a float (a JSON number, read by
    the text it arrived as when the JSON parser kept it, else by its repr: `1e+16`, `inf` stay visible)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return getattr(value, "text", None) or repr(value)
    return None


def parse_amount(value, *, allow_zero=False) -> Decimal:
    """A positive amount with at most two decimals in plain notation; anything else is CBC.0100, never
    rounded silently and never read as another number (`1e2` is not 100, `１２` is not 12). A Decimal
    comes from our own code or a serializer and is only checked."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = _plain_text(value)
        if text is None or not PLAIN_DECIMAL.fullmatch(text):
            raise DomainError(Codes.PARAMETER, _("The amount is not a number."))
        amount = Decimal(text)
    if not amount.is_finite():
        raise DomainError(Codes.PARAMETER, _("The amount is not a number."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(Codes.PARAMETER, _("The amount must be greater than zero."))
    if amount > MAX_AMOUNT:  # before quantize: 1E+400 would overflow its precision
        raise DomainError(Codes.PARAMETER, _("The amount is too large."))
    if amount != amount.quantize(FEN):
        raise DomainError(Codes.PARAMETER, _("The amount may have at most two decimals."))
    return amount.quantize(FEN)


def quantize(value) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_amount(value) -> str:
    return f"{quantize(value):,.2f}"


def fen(expression):
    """A sum or difference of money computed in the database, rounded to the fen there: SQLite keeps
    DECIMAL columns as binary floating point, where 100.00 − 73.70 is 26.299999999999997, which a later
    `balance >= 26.30` refuses; PostgreSQL's numeric is exact, and rounding an exact fen changes nothing.
    Every balance UPDATE and every computed bound in a conditional UPDATE goes through it."""
    from django.db.models.functions import Round

    return Round(expression, 2)
