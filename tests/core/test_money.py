"""The one amount parser: plain decimal notation to the fen, everything else a CBC.0100 — never rounded,
never read as another number, never an exception other than DomainError."""

import json
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.exceptions import ParseError

from partnercenter.api.parsers import JSONParser
from partnercenter.errors import DomainError
from partnercenter.money import parse_amount


@pytest.mark.parametrize("value,expected", [
    ("12", "12.00"), ("12.5", "12.50"), ("0.01", "0.01"), (" 7.10 ", "7.10"), ("+3", "3.00"), (".5", "0.50"),
    ("1.230", "1.23"), ("9999999999999999.99", "9999999999999999.99"), (12, "12.00"), (12.5, "12.50"),
    (Decimal("100"), "100.00"),
])
def test_plain_amounts_parse_to_the_fen(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", [
    "１２", "1_000", "1e2", "1E2", "1e400", "9e999999999", "Infinity", "-Infinity", "inf", "NaN", "sNaN", " 1 2",
    "1,000", "1.2.3", "", ".", "+", "0x10", "١٢", True, None, [], 1e16, float("inf"), float("nan"),
    Decimal("NaN"), Decimal("Infinity"),
])
def test_anything_but_plain_decimal_notation_is_refused(value):
    with pytest.raises(DomainError) as refused:
        parse_amount(value)
    assert refused.value.code == "CBC.0100"


@pytest.mark.parametrize("value,message", [
    ("1.001", "at most two decimals"), ("0", "greater than zero"), ("-5", "greater than zero"),
    ("10000000000000000", "too large"), (Decimal("1E+400"), "too large"), (Decimal("9E+999999999"), "too large"),
])
def test_out_of_range_amounts_say_why(value, message):
    with translation.override("en"), pytest.raises(DomainError, match=message):
        parse_amount(value)


def test_zero_is_allowed_where_asked():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")


def _json_number(text):
    from io import BytesIO

    return JSONParser().parse(BytesIO(json.dumps({"amount": "@"}).replace('"@"', text).encode()))["amount"]


@pytest.mark.parametrize("text,expected", [("12.5", "12.50"), ("100", "100.00"), ("0.10", "0.10")])
def test_json_numbers_are_read_by_the_text_the_client_sent(text, expected):
    assert parse_amount(_json_number(text)) == Decimal(expected)


@pytest.mark.parametrize("text", ["1e2", "1E+2", "1.5e1", "1e-2", "0.30000000000000004"])
def test_a_json_number_in_exponent_form_or_with_more_than_two_decimals_is_refused(text):
    with pytest.raises(DomainError):
        parse_amount(_json_number(text))


@pytest.mark.parametrize("text", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_json_number_out_of_range_is_refused_by_the_parser(text):
    with pytest.raises(ParseError):
        _json_number(text)


def test_sums_of_amounts_come_back_to_the_fen_on_every_database(tenant_a):
    """SQLite adds decimals as binary floating point: 0.1 + 0.2 + 147.43 summed there is 147.73000000000002, which
    Django left in a sum (partnercenter/sqlite/base.py rounds it to the field's places, as PostgreSQL's exact sum
    is)."""
    from django.db.models import Sum

    from billing.models import CustomerAccount
    from tests.factories import CustomerFactory

    for amount in ("0.10", "0.20", "147.43"):
        CustomerAccount.objects.update_or_create(customer=CustomerFactory(), defaults={"balance": Decimal(amount)})
    total = CustomerAccount.objects.filter(balance__gt=0).aggregate(total=Sum("balance"))["total"]
    assert total == Decimal("147.73") and str(total) == "147.73"
