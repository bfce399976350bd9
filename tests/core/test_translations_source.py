"""Every message the code marks for translation is in the zh-hans catalogue — found from the sources
themselves (Python by its syntax tree, templates by their tags), so a new page whose strings nobody
extracted fails here, without gettext's tools. test_translations.py checks the catalogue's own entries."""

import ast
import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "partnercenter" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
SKIP = {".venv", "tests", "bench", "var", "migrations", "staticfiles", "test-artifacts", "node_modules"}
SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop"}
CONTEXT = {"pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy"}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')(?:\s+context\s+"([^"]*)")?""")


def _sources(suffix):
    for path in ROOT.rglob(f"*{suffix}"):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def _name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _python_messages():
    for path in _sources(".py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name, first = _name(node.func), _literal(node.args[0])
            if name in SINGULAR and first:
                yield path, None, first
            elif name in CONTEXT and first and len(node.args) > 1 and _literal(node.args[1]):
                yield path, first, _literal(node.args[1])
            elif name in PLURAL and first:
                yield path, None, first


def _template_messages():
    for path in _sources(".html"):
        for match in TRANSLATE_TAG.finditer(path.read_text()):
            message = match.group(1) if match.group(1) is not None else match.group(2)
            if message:
                yield path, match.group(3), message


def test_every_marked_message_has_a_zh_hans_translation():
    catalogue = gettext.GNUTranslations(MO.open("rb"))._catalog
    keys = {key[0] if isinstance(key, tuple) else key for key in catalogue}
    messages = list(_python_messages()) + list(_template_messages())
    missing = sorted({f"{path.relative_to(ROOT)}: {context + ' | ' if context else ''}{message}"
                      for path, context, message in messages
                      if (f"{context}\x04{message}" if context else message) not in keys})
    assert len(messages) > 1000
    assert missing == []
