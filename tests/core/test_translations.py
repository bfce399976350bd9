"""zh-hans is complete and compiled: every message translated, none fuzzy, the .mo in step with the .po."""

import gettext
import re
from pathlib import Path

from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "partnercenter" / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text, *, with_context=False):
    """(msgid, msgstr) pairs of a .po file — (context, msgid, msgstr) with `with_context` — header and
    obsolete entries left out."""
    entries = []
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            entries.append(("FUZZY", block))
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            joined_id = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            joined_str = "".join(re.findall(r'"(.*)"', msgstr.group(1)))
            if joined_id:
                entries.append((context.group(1) if context else None, joined_id, joined_str) if with_context
                               else (joined_id, joined_str))
    return entries


def test_every_zh_hans_message_is_translated_and_none_is_fuzzy():
    entries = _entries(PO.read_text())
    assert len(entries) > 250
    assert [e for e in entries if e[0] == "FUZZY"] == []
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_the_compiled_catalogue_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    def unescape(text):
        return text.replace('\\"', '"').replace("\\n", "\n")

    for context, msgid, msgstr in _entries(PO.read_text(), with_context=True):
        if "%(counter)s" in msgid:
            continue
        found = compiled.pgettext(context, unescape(msgid)) if context else compiled.gettext(unescape(msgid))
        assert found == unescape(msgstr), msgid


import pytest


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(tenant_a):
    from ..conftest import login_client

    client = login_client(tenant_a.admin.user)
    assert "我的凭证" in client.get("/credentials/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/credentials/"})
    assert "My credentials" in client.get("/credentials/").content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Partner Center") == "伙伴中心"


def test_the_api_answers_in_english_unless_asked_for_chinese():
    english = Client().post("/v2/partners/sub-customers/query", data="{}", content_type="application/json")
    chinese = Client().post("/v2/partners/sub-customers/query", data="{}", content_type="application/json",
                            HTTP_X_LANGUAGE="zh_CN")
    assert english.json()["error_msg"] == "Incorrect IAM authentication information."
    assert chinese.json()["error_code"] == "APIGW.0301"
