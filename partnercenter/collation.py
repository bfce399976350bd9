"""People's names in the order Chinese readers look for them — by pinyin: 陈七, 李四, 王五, 张三 — through the
collation `settings.NAME_COLLATION` ("zh-x-icu"; empty: the column's own order, code points on SQLite). PostgreSQL
has it from ICU (CLDR's Chinese order; Debian's and the official images' builds have ICU). On SQLite, the embedded
default, `register` gives each connection a collation of that name that compares names by their pinyin with tone
(pypinyin), then as text."""

from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from pypinyin import Style, lazy_pinyin

__all__ = ["by_name", "register", "pinyin_key"]


def by_name(field: str):
    """An order_by() term for the text column `field`, in name order (see the module docstring)."""
    collation = getattr(settings, "NAME_COLLATION", "")
    if collation and connection.vendor in ("postgresql", "sqlite"):
        return Collate(F(field), collation).asc()
    return F(field).asc()


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> tuple:
    """(syllable without its tone, tone) per character — 陈 ("chen", "2") — then the text itself."""
    syllables = lazy_pinyin(text or "", style=Style.TONE3, neutral_tone_with_five=True)
    return tuple((s.rstrip("012345").lower(), s[len(s.rstrip("012345")):]) for s in syllables), text or ""


def _compare(a: str, b: str) -> int:
    key_a, key_b = pinyin_key(a), pinyin_key(b)
    return (key_a > key_b) - (key_a < key_b)


def register(sender, connection, **kwargs):
    """connection_created: a SQLite connection learns the name collation (PostgreSQL has its own)."""
    collation = getattr(settings, "NAME_COLLATION", "")
    if connection.vendor == "sqlite" and collation:
        connection.connection.create_collation(collation, _compare)
