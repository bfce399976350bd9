"""The CBC API's JSON parser: DRF's, refusing what would otherwise reach a view as a 500, and keeping the
text of every JSON number with a fraction or an exponent, so the amount parser sees what the client wrote."""

import codecs
import math
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

__all__ = ["JSONParser", "JsonNumber", "MAX_DEPTH", "UNSTORABLE"]

# Characters no text column may receive: NUL (PostgreSQL refuses it in text), the other C0 controls but
# tab, LF and CR (not allowed in XML, so in Excel exports either) and lone surrogates (not UTF-8).
# Pages' paths, query strings and forms are checked against it by partnercenter.middleware.InputMiddleware.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

MAX_DEPTH = 32  # CBC bodies nest four levels at most


class JsonNumber(float):
    """A float that remembers the text it was parsed from (`12.50`, `1e2`): used as a float everywhere,
    read by its text where it is an amount (partnercenter.money.parse_amount)."""

    def __new__(cls, text):
        number = super().__new__(cls, text)
        number.text = str(text)
        return number


class JSONParser(parsers.JSONParser):
    """Also a 400 (CBC.0100) for: nesting deeper than MAX_DEPTH, an unstorable character (NUL, other
    control characters, a lone surrogate) in any string or key, a key repeated in an object, NaN,
    Infinity and numbers out of a float's range."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_float=JsonNumber, object_pairs_hook=_object)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        _check(data)
        return data


def _object(pairs) -> dict:
    """A JSON object whose keys are all different: `{"customer_id": "A", "customer_id": "B"}` means one
    customer to one reader and another to the next (the same rule as repeated query parameters)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key is repeated in an object")
    return data


def _check(data) -> None:
    """Walk the body a level at a time, gathering every string (keys too) for one search: a 100-item
    request is thousands of values, and one regex over their concatenation costs less than one per value
    (every pattern of UNSTORABLE is one character, so joining creates no match and hides none)."""
    strings, level, depth = [], [data] if isinstance(data, (dict, list)) else [], 1
    while level:
        below = []
        for container in level:
            if isinstance(container, dict):
                strings.extend(container)
                values = container.values()
            else:
                values = container
            if depth >= MAX_DEPTH and values:  # its values would be deeper than MAX_DEPTH
                raise ParseError(_("The JSON body is nested too deeply."))
            for value in values:
                if isinstance(value, str):
                    strings.append(value)
                elif isinstance(value, (dict, list)):
                    below.append(value)
                elif isinstance(value, float) and not math.isfinite(value):  # 1e400
                    raise ParseError(_("A number is out of range."))
        level, depth = below, depth + 1
    if isinstance(data, str):
        strings.append(data)
    elif isinstance(data, float) and not math.isfinite(data):
        raise ParseError(_("A number is out of range."))
    if strings and UNSTORABLE.search("".join(strings)):
        raise ParseError(_("The request contains characters that are not allowed."))
