"""Importing the enterprise directory (企业百科) from a CSV or Excel (.xlsx) file, by operators in the admin.

Columns (the header row names them, in English or Chinese, in any order; `name` and `credit_code` are
required, the others optional):

    name                  企业名称
    credit_code           统一社会信用代码   18 characters, check digit verified (GB 32100-2015)
    industry              行业
    region                地区
    size                  企业规模           micro/small/medium/large, or 微型/小型/中型/大型
    registered_capital    注册资本（万元）    in 10,000 CNY, at most 2 decimals ("500", "1,200.50", "500万")
    legal_representative  法定代表人
    status                经营状态           operating/cancelled/revoked, or 存续/在业/开业 · 注销 · 吊销 (blank: operating)
    established_on        成立日期           2020-03-01, 2020/3/1, 2020年3月1日 or an Excel date
    address               地址

Other columns are ignored (and named in the result); the `失败原因（reason）` column of a failure file is
ignored too, so a corrected failure file imports as it is.

Rules:
- **Idempotent by credit code.** A row whose credit code is in the directory updates that enterprise (only
  the columns the file has: a column left out keeps its values, a blank cell of a column given clears the
  value); an identical row changes nothing. Importing the same file twice changes nothing the second time.
- **Row by row.** A row that is wrong (a missing name, a bad credit code, a value out of range, a credit code
  repeated in the file) fails alone with its reason; the other rows are imported. The failed rows, with the
  reason, make the failure file (the file's own format, its own header plus the reason column).
- **Dry run.** `plan_import()` reads and checks everything and says what would change, writing nothing;
  `apply_import()` plans again inside one transaction and writes the good rows: the new ones with one upsert
  per chunk (INSERT … ON CONFLICT (credit_code) DO UPDATE, so a concurrent import of the same enterprise
  cannot fail on the unique credit code), the changed ones with one bulk UPDATE per chunk. Both write the
  file's columns only (and updated_at), so a column the file leaves out is never cleared, not even on an
  enterprise another import created in the meantime.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import EnterpriseSize, EnterpriseStatus
from .directory_files import FileError, is_xlsx, read_rows, write_csv, write_xlsx
from .models import MONEY, Enterprise

__all__ = [
    "COLUMNS", "REQUIRED", "MAX_ROWS", "FileError", "RowFailure", "ImportPlan", "plan_import", "apply_import",
    "failure_file", "REASON_HEADER", "credit_code_problem", "credit_code_check_digit",
]

COLUMNS = ["name", "credit_code", "industry", "region", "size", "registered_capital", "legal_representative",
           "status", "established_on", "address"]
REQUIRED = ["name", "credit_code"]
MAX_ROWS = 50_000
CHUNK = 1_000

# The header names an operator may use for each column (compared without case, spaces or brackets' content).
ALIASES = {
    "name": ["name", "enterprise name", "企业名称", "公司名称", "名称"],
    "credit_code": ["credit_code", "credit code", "unified social credit code", "统一社会信用代码", "信用代码"],
    "industry": ["industry", "行业", "所属行业"],
    "region": ["region", "地区", "所属地区", "省份"],
    "size": ["size", "规模", "企业规模"],
    "registered_capital": ["registered_capital", "registered capital", "注册资本"],
    "legal_representative": ["legal_representative", "legal representative", "法定代表人", "法人"],
    "status": ["status", "经营状态", "登记状态", "状态"],
    "established_on": ["established_on", "established on", "成立日期"],
    "address": ["address", "地址", "注册地址"],
}
REASON_HEADERS = ("reason", "失败原因")
REASON_HEADER = "失败原因（reason）"  # the failure file's last column, in both languages (and ignored on import)
_MAX_LENGTH = {name: Enterprise._meta.get_field(name).max_length
               for name in ("name", "credit_code", "industry", "region", "legal_representative", "address")}

_SIZES = {
    **{value: value for value in EnterpriseSize.values},
    "微型": EnterpriseSize.MICRO, "微型企业": EnterpriseSize.MICRO, "小型": EnterpriseSize.SMALL,
    "小型企业": EnterpriseSize.SMALL, "中型": EnterpriseSize.MEDIUM, "中型企业": EnterpriseSize.MEDIUM,
    "大型": EnterpriseSize.LARGE, "大型企业": EnterpriseSize.LARGE,
}
_STATUSES = {
    **{value: value for value in EnterpriseStatus.values},
    "存续": EnterpriseStatus.OPERATING, "在业": EnterpriseStatus.OPERATING, "开业": EnterpriseStatus.OPERATING,
    "存续（在营、开业、在册）": EnterpriseStatus.OPERATING, "正常": EnterpriseStatus.OPERATING,
    "注销": EnterpriseStatus.CANCELLED, "已注销": EnterpriseStatus.CANCELLED,
    "吊销": EnterpriseStatus.REVOKED, "已吊销": EnterpriseStatus.REVOKED, "吊销，未注销": EnterpriseStatus.REVOKED,
}

# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet (no I, O, Z, S, V); the last is a check
# character over the first 17 with the weights 3^i mod 31.
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_VALUE = {char: index for index, char in enumerate(CODE_ALPHABET)}
_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CAPITAL_INTEGER_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]


def credit_code_check_digit(first17: str) -> str:
    total = sum(_CODE_VALUE[char] * weight for char, weight in zip(first17, _CODE_WEIGHTS))
    return CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is no unified social credit code, or None."""
    if len(code) != 18:
        return _("A unified social credit code has 18 characters.")
    if any(char not in _CODE_VALUE for char in code):
        return _("A unified social credit code has digits and the capital letters A–Y except I, O, S, V and Z.")
    if credit_code_check_digit(code[:17]) != code[17]:
        return _("The check character of the unified social credit code is wrong.")
    return None


@dataclass(frozen=True)
class RowFailure:
    line: int           # the spreadsheet's line (the header is line 1)
    cells: list         # the row as read, in the file's own columns
    reason: str


@dataclass
class ImportPlan:
    header: list = field(default_factory=list)      # the file's own header
    columns: list = field(default_factory=list)     # the directory columns it gives
    ignored: list = field(default_factory=list)     # header cells that name no column
    rows: int = 0
    created: list = field(default_factory=list)     # new Enterprise objects (unsaved)
    updated: list = field(default_factory=list)     # existing Enterprise objects with the file's values
    unchanged: int = 0
    failures: list = field(default_factory=list)    # RowFailure

    def counts(self) -> dict:
        return {"rows": self.rows, "created": len(self.created), "updated": len(self.updated),
                "unchanged": self.unchanged, "failed": len(self.failures)}


def _header_key(text: str) -> str:
    text = re.sub(r"[（(].*?[）)]", "", str(text)).strip().lower()
    return re.sub(r"[\s_]+", " ", text)


_ALIAS_KEYS = {_header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}


def _columns(header: list[str]) -> tuple[list, list]:
    """(column of each header cell or None, ignored header cells)."""
    mapped, ignored, seen = [], [], set()
    for cell in header:
        column = _ALIAS_KEYS.get(_header_key(cell))
        if column is None or column in seen:
            mapped.append(None)
            if cell and _header_key(cell) not in REASON_HEADERS:
                ignored.append(cell)
        else:
            mapped.append(column)
            seen.add(column)
    missing = [column for column in REQUIRED if column not in seen]
    if missing:
        raise FileError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return mapped, ignored


def _values(mapped, cells) -> dict:
    return {column: (cells[index] if index < len(cells) else "").strip()
            for index, column in enumerate(mapped) if column is not None}


def _clean(values: dict) -> dict:
    """The row's values as the model stores them; ValueError(reason) for the first one that is wrong."""
    clean = {}
    for column, text in values.items():
        text = " ".join(text.split()) if column != "address" else text.strip()
        if "\x00" in text:
            raise ValueError(_("%(column)s: NUL characters are not allowed.") % {"column": column})
        if column in _MAX_LENGTH and len(text) > _MAX_LENGTH[column]:
            raise ValueError(_("%(column)s: at most %(max)d characters.") % {
                "column": column, "max": _MAX_LENGTH[column]})
        if column == "name":
            if not text:
                raise ValueError(_("name: the enterprise name is required."))
            clean[column] = text
        elif column == "credit_code":
            code = text.replace(" ", "").upper()
            if not code:
                raise ValueError(_("credit_code: the unified social credit code is required."))
            problem = credit_code_problem(code)
            if problem:
                raise ValueError(f"credit_code: {problem}")
            clean[column] = code
        elif column == "size":
            size = _SIZES.get(text.lower() if text.isascii() else text)
            if text and size is None:
                raise ValueError(_("size: use micro, small, medium or large (微型, 小型, 中型, 大型)."))
            clean[column] = size or ""
        elif column == "status":
            status = _STATUSES.get(text.lower() if text.isascii() else text)
            if text and status is None:
                raise ValueError(_("status: use operating, cancelled or revoked (存续, 注销, 吊销)."))
            clean[column] = status or EnterpriseStatus.OPERATING
        elif column == "registered_capital":
            clean[column] = _capital(text)
        elif column == "established_on":
            clean[column] = _date(text)
        else:
            clean[column] = text
    return clean


def _capital(text: str):
    if not text:
        return None
    plain = text.replace(",", "").replace("，", "").removesuffix("万元").removesuffix("万").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", plain):
        raise ValueError(_("registered_capital: a plain amount in 10,000 CNY, such as 500 or 1200.50."))
    amount = Decimal(plain)
    sign, digits, exponent = amount.as_tuple()
    if exponent < -MONEY["decimal_places"]:
        raise ValueError(_("registered_capital: at most 2 decimals."))
    if len(digits) + min(exponent, 0) > _CAPITAL_INTEGER_DIGITS:
        raise ValueError(_("registered_capital: the amount is too large."))
    return amount


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def _date(text: str):
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day > timezone.localdate():
            raise ValueError(_("established_on: the date is in the future."))
        return day
    raise ValueError(_("established_on: a date such as 2020-03-01."))


def _changed(enterprise: Enterprise, clean: dict) -> bool:
    changed = False
    for column, value in clean.items():
        if getattr(enterprise, column) != value:
            setattr(enterprise, column, value)
            changed = True
    return changed


def plan_import(data: bytes, filename: str) -> ImportPlan:
    """What importing the file would do, writing nothing. FileError when the file as a whole cannot be
    read (not CSV or .xlsx, no header, a required column missing, too many rows)."""
    header, rows = read_rows(data, filename, max_rows=MAX_ROWS)  # at most MAX_ROWS + 1: enough to refuse
    if len(rows) > MAX_ROWS:
        raise FileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    mapped, ignored = _columns(header)
    plan = ImportPlan(header=header, columns=[c for c in mapped if c is not None], ignored=ignored, rows=len(rows))
    good, first_line = [], {}
    for line, cells in rows:
        try:
            clean = _clean(_values(mapped, cells))
        except ValueError as exc:
            plan.failures.append(RowFailure(line, cells, str(exc)))
            continue
        code = clean["credit_code"]
        if code in first_line:
            plan.failures.append(RowFailure(line, cells, _(
                "credit_code: the file names this enterprise already on line %(line)d.") % {"line": first_line[code]}))
            continue
        first_line[code] = line
        good.append(clean)
    now = timezone.now()
    for start in range(0, len(good), CHUNK):
        chunk = good[start:start + CHUNK]
        existing = Enterprise.objects.in_bulk([clean["credit_code"] for clean in chunk], field_name="credit_code")
        for clean in chunk:
            enterprise = existing.get(clean["credit_code"])
            if enterprise is None:
                plan.created.append(Enterprise(**clean, updated_at=now))
            elif _changed(enterprise, clean):
                enterprise.updated_at = now
                plan.updated.append(enterprise)
            else:
                plan.unchanged += 1
    return plan


def apply_import(data: bytes, filename: str) -> ImportPlan:
    """Import the file's good rows (see the module's rules); the plan says what was done."""
    with transaction.atomic():
        plan = plan_import(data, filename)
        # Only the file's columns (and updated_at) are written, also when the upsert finds the enterprise
        # created meanwhile by a concurrent import or an operator: a column the file leaves out keeps its value.
        fields = [column for column in plan.columns if column != "credit_code"] + ["updated_at"]
        for start in range(0, len(plan.created), CHUNK):
            Enterprise.objects.bulk_create(plan.created[start:start + CHUNK], update_conflicts=True,
                                           unique_fields=["credit_code"], update_fields=fields)
        if plan.updated:
            Enterprise.objects.bulk_update(plan.updated, fields, batch_size=500)
    return plan


def failure_file(data: bytes, filename: str) -> tuple[bytes, str, str] | None:
    """The failed rows of the file, with their reason, in the file's own format: (content, file name,
    content type), or None when no row fails. The failures depend on the file alone (never on the
    directory), so the file is the same before and after the import."""
    plan = plan_import(data, filename)
    if not plan.failures:
        return None
    header = list(plan.header) + [REASON_HEADER]
    width = len(plan.header)
    rows = [[*(list(f.cells[:width]) + [""] * (width - len(f.cells))), f.reason] for f in plan.failures]
    stem = re.sub(r"[^\w.-]+", "_", (filename or "enterprises").rsplit(".", 1)[0])[:60] or "enterprises"
    if is_xlsx(data, filename):
        return (write_xlsx(header, rows, title="failures"), f"{stem}-failures.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return write_csv(header, rows), f"{stem}-failures.csv", "text/csv; charset=utf-8"
