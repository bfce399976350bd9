"""企业百科 import by operators: CSV and Excel, English or Chinese headers, a dry run that changes nothing,
idempotent by credit code (a second import changes nothing, a changed row updates its enterprise), rows that
fail alone with their reason, and the failure file (its own format, re-importable once corrected)."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from expansion import directory_import
from expansion.choices import EnterpriseSize, EnterpriseStatus
from expansion.models import Enterprise

from ..conftest import login_client
from ..factories import UserFactory
from .directory_fixtures import code

pytestmark = pytest.mark.django_db
IMPORT = "/admin/expansion/enterprise/import/"

A, B, C = code(9001), code(9002), code(9003)
BAD_CHECK = A[:17] + ("0" if A[17] != "0" else "1")

GOOD = [
    ["杭州西湖电子商务有限公司", A, "批发和零售业", "浙江省", "小型", "500万", "张伟", "存续", "2012/3/1", "杭州市西湖区1号"],
    ["上海浦江物流股份有限公司", B, "交通运输业", "上海市", "medium", "1,200.50", "王芳", "operating", "2015-06-30", ""],
]
BAD = [
    ["", C, "", "", "", "", "", "", "", ""],                                             # no name
    ["坏校验码有限公司", BAD_CHECK, "", "", "", "", "", "", "", ""],                        # check character
    ["重复代码有限公司", A, "", "", "", "", "", "", "", ""],                               # repeated credit code
    ["规模错误有限公司", C, "", "", "huge", "", "", "", "", ""],                           # size
    ["=HYPERLINK(\"http://x\")", code(9004), "", "", "", "12.345", "", "", "", ""],        # capital: 3 decimals
]
HEADER_ZH = ["企业名称", "统一社会信用代码", "行业", "地区", "企业规模", "注册资本（万元）", "法定代表人", "经营状态", "成立日期", "地址"]
HEADER_EN = directory_import.COLUMNS


def csv_bytes(header, rows, encoding="utf-8-sig"):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # typed as text ('=…), as an operator's Excel keeps it
                cell.data_type, cell.quotePrefix = "s", True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def snapshot():
    return list(Enterprise.objects.order_by("credit_code").values_list(
        "credit_code", "name", "industry", "region", "size", "registered_capital", "legal_representative", "status",
        "established_on", "address", "updated_at"))


@pytest.mark.parametrize("make, name", [(csv_bytes, "list.csv"), (xlsx_bytes, "list.xlsx")])
def test_a_dry_run_changes_nothing_and_the_import_is_idempotent(make, name):
    data = make(HEADER_ZH, GOOD + BAD)

    plan = directory_import.plan_import(data, name)
    assert plan.counts() == {"rows": 7, "created": 2, "updated": 0, "unchanged": 0, "failed": 5}
    assert not Enterprise.objects.exists()

    done = directory_import.apply_import(data, name)
    assert done.counts() == plan.counts()
    xihu = Enterprise.objects.get(credit_code=A)
    assert (xihu.name, xihu.size, xihu.registered_capital, xihu.status, str(xihu.established_on)) == (
        "杭州西湖电子商务有限公司", EnterpriseSize.SMALL, Decimal("500"), EnterpriseStatus.OPERATING, "2012-03-01")
    assert Enterprise.objects.get(credit_code=B).registered_capital == Decimal("1200.50")
    before = snapshot()

    again = directory_import.apply_import(data, name)
    assert again.counts() == {"rows": 7, "created": 0, "updated": 0, "unchanged": 2, "failed": 5}
    assert snapshot() == before


def test_the_reasons_name_each_failing_row():
    plan = directory_import.plan_import(csv_bytes(HEADER_EN, GOOD + BAD), "list.csv")
    reasons = {failure.line: failure.reason for failure in plan.failures}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert re.match(r"name[:：]", reasons[4])  # the zh-hans catalogue writes a full-width colon
    assert "check character" in reasons[5] or "校验" in reasons[5]
    assert "2" in reasons[6] and re.match(r"credit_code[:：]", reasons[6])   # line 2 has it already
    assert re.match(r"size[:：]", reasons[7]) and re.match(r"registered_capital[:：]", reasons[8])


def test_a_changed_row_updates_its_enterprise_and_a_missing_column_keeps_its_values():
    directory_import.apply_import(csv_bytes(HEADER_EN, GOOD), "list.csv")
    changed = [["杭州西湖电子商务股份有限公司", A, "批发和零售业", "浙江省", "中型", "800", "张伟", "注销", "2012-03-01", ""]]

    plan = directory_import.apply_import(csv_bytes(HEADER_EN, changed), "list.csv")

    assert plan.counts()["updated"] == 1
    xihu = Enterprise.objects.get(credit_code=A)
    assert (xihu.name, xihu.size, xihu.status, xihu.address) == (
        "杭州西湖电子商务股份有限公司", EnterpriseSize.MEDIUM, EnterpriseStatus.CANCELLED, "")
    # a file with only name and credit code leaves the other columns as they are
    directory_import.apply_import(csv_bytes(["credit_code", "name"], [[A, "杭州西湖电子商务有限公司"]]), "x.csv")
    xihu.refresh_from_db()
    assert (xihu.name, xihu.size, xihu.registered_capital) == ("杭州西湖电子商务有限公司", EnterpriseSize.MEDIUM,
                                                               Decimal("800"))
    assert Enterprise.objects.count() == 2


def test_gbk_csv_extra_columns_and_whole_file_errors():
    data = csv_bytes(["企业名称", "统一社会信用代码", "备注"], [["南京紫金教育咨询有限公司", C, "x"]], encoding="gb18030")
    plan = directory_import.apply_import(data, "gbk.csv")
    assert plan.counts()["created"] == 1 and plan.ignored == ["备注"]
    assert Enterprise.objects.get(credit_code=C).name == "南京紫金教育咨询有限公司"
    for content, name in ((csv_bytes(["name", "region"], [["x", "y"]]), "a.csv"), (b"", "a.csv"),
                          (b"PK\x03\x04 broken", "a.xlsx"), (b"name,credit_code\n", "a.pdf")):
        with pytest.raises(directory_import.FileError):
            directory_import.plan_import(content, name)


@pytest.mark.parametrize("make, name", [(csv_bytes, "list.csv"), (xlsx_bytes, "list.xlsx")])
def test_the_failure_file_holds_the_failed_rows_with_their_reason_and_imports_once_corrected(make, name):
    data = make(HEADER_ZH, GOOD + BAD)
    content, filename, _type = directory_import.failure_file(data, name)
    assert filename == "list-failures." + name.rsplit(".", 1)[1]
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[5][0] == "'=HYPERLINK(\"http://x\")"   # a formula stays text
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
        formula = sheet.cell(row=6, column=1)
        assert formula.data_type != "f" and formula.quotePrefix and formula.value.startswith("=HYPERLINK")
    assert rows[0] == HEADER_ZH + ["失败原因（reason）"]
    assert [row[1] for row in rows[1:]] == [C, BAD_CHECK, A, C, code(9004)]
    assert all(row[-1] for row in rows[1:])
    assert directory_import.failure_file(make(HEADER_ZH, GOOD), name) is None

    # the operator corrects the failure file and imports it as it is (the reason column is ignored)
    fixed = [row[:-1] for row in rows[1:]]
    fixed[0][0], fixed[1][1], fixed[2][1], fixed[4][5] = "补名有限公司", code(9005), code(9006), "12.34"
    fixed[3][1], fixed[3][4] = code(9007), ""
    directory_import.apply_import(data, name)
    plan = directory_import.apply_import(make(rows[0], fixed), name)
    assert plan.counts() == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0, "failed": 0}
    assert Enterprise.objects.get(credit_code=code(9004)).name == "=HYPERLINK(\"http://x\")"


# ---------------------------------------------------------------------------------------------
# The admin screens
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def operator():
    return login_client(UserFactory(username="directory.ops", is_staff=True, is_superuser=True))


def test_the_admin_dry_run_then_import_then_failure_file(operator):
    data = csv_bytes(HEADER_ZH, GOOD + BAD)
    assert 'id="enterprise-import"' in operator.get("/admin/expansion/enterprise/").content.decode()

    body = operator.post(IMPORT, {"file": SimpleUploadedFile("list.csv", data), "dry_run": "1"}).content.decode()
    assert 'id="count-created">2<' in body and 'id="count-failed">5<' in body and 'id="import-apply"' in body
    assert not Enterprise.objects.exists()
    token = body.split('name="token" value="')[1].split('"')[0]
    failures_url = body.split('id="import-failures-download"')[0].rsplit('href="', 1)[1].split('"')[0]

    # another operator cannot use this operator's file
    other = login_client(UserFactory(username="other.ops", is_staff=True, is_superuser=True))
    assert other.get(failures_url).status_code == 404
    assert other.post(IMPORT, {"token": token}).status_code == 200 and not Enterprise.objects.exists()

    body = operator.post(IMPORT, {"token": token}).content.decode()
    assert 'id="count-created">2<' in body and Enterprise.objects.count() == 2
    assert LogEntry.objects.filter(object_repr="enterprise import list.csv").count() == 1

    download = operator.get(failures_url)
    assert download.status_code == 200 and download["Content-Disposition"].endswith('list-failures.csv"')
    assert download.content.decode("utf-8-sig").count("\r\n") == 6  # header + 5 rows

    # one step ("Import"), Excel
    body = operator.post(IMPORT, {"file": SimpleUploadedFile("more.xlsx", xlsx_bytes(HEADER_EN, [
        ["成都锦城餐饮管理有限公司", C, "", "", "", "", "", "", "", ""]])), "apply": "1"}).content.decode()
    assert 'id="count-created">1<' in body and "import-failures-download" not in body
    assert Enterprise.objects.count() == 3


def test_the_admin_refuses_an_unreadable_file_and_an_operator_without_the_permissions(operator):
    body = operator.post(IMPORT, {"file": SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n"), "dry_run": "1"})
    assert 'id="import-file-error"' in body.content.decode()
    clerk = login_client(UserFactory(username="clerk", is_staff=True))
    assert clerk.get(IMPORT).status_code == 403


def test_an_operator_edits_an_entry_with_a_checked_credit_code(operator):
    response = operator.post("/admin/expansion/enterprise/add/", {
        "name": "手工录入有限公司", "credit_code": BAD_CHECK, "status": "operating"})
    assert response.status_code == 200 and not Enterprise.objects.exists()
    response = operator.post("/admin/expansion/enterprise/add/", {
        "name": "手工录入有限公司", "credit_code": A.lower(), "status": "operating"})
    assert response.status_code == 302 and Enterprise.objects.get().credit_code == A
    for term in ("手工", "录入有限", A.lower()):
        assert "手工录入有限公司" in operator.get("/admin/expansion/enterprise/", {"q": term}).content.decode(), term
    assert "手工录入有限公司" not in operator.get("/admin/expansion/enterprise/", {"q": "录入"}).content.decode()
    assert operator.get("/admin/expansion/report/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Damaged workbooks, the row limit, and the upsert of an enterprise created meanwhile (review fixes)
# ---------------------------------------------------------------------------------------------

def with_part(data: bytes, member: str, content: bytes) -> bytes:
    """The .xlsx `data` with one of its zip members replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == member else source.read(info.filename))
    return out.getvalue()


def with_rows_xml(data: bytes, rows_xml: str) -> bytes:
    """The .xlsx `data` with raw <row> elements added at the end of its first sheet."""
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', "", sheet).replace("</sheetData>", rows_xml + "</sheetData>")
    return with_part(data, "xl/worksheets/sheet1.xml", sheet.encode())


def inline_row(line, *cells) -> str:
    return f'<row r="{line}">' + "".join(
        f'<c r="{chr(65 + i)}{line}" t="inlineStr"><is><t>{value}</t></is></c>' for i, value in enumerate(cells)
    ) + "</row>"


DAMAGED = {
    "content types not XML": lambda good: with_part(good, "[Content_Types].xml", b"<Types"),
    "workbook not XML": lambda good: with_part(good, "xl/workbook.xml", b"\x00garbage"),
    # found only while the rows are read: a cell naming a shared string the workbook does not have
    "missing shared string": lambda good: with_rows_xml(good, '<row r="4"><c r="A4" t="s"><v>99</v></c></row>'),
}


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_a_damaged_workbook_is_a_file_error_and_the_admin_says_so(damage, operator):
    data = DAMAGED[damage](xlsx_bytes(HEADER_EN, GOOD))
    with pytest.raises(directory_import.FileError) as refused:
        directory_import.plan_import(data, "damaged.xlsx")
    assert "xlsx" in str(refused.value)
    with pytest.raises(directory_import.FileError):
        directory_import.failure_file(data, "damaged.xlsx")

    response = operator.post(IMPORT, {"file": SimpleUploadedFile("damaged.xlsx", data), "apply": "1"})
    assert response.status_code == 200 and 'id="import-file-error"' in response.content.decode()
    assert not Enterprise.objects.exists()


def test_reading_stops_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(directory_import, "MAX_ROWS", 3)
    rows = [[f"限额{n}有限公司", code(9100 + n)] for n in range(4)]
    # Excel: line 7 is damaged; reading stops at the 4th row (line 5), so the refusal is the row limit
    data = with_rows_xml(xlsx_bytes(["name", "credit_code"], rows),
                         '<row r="7"><c r="A7" t="s"><v>99</v></c></row>')
    with pytest.raises(directory_import.FileError, match="3"):
        directory_import.plan_import(data, "long.xlsx")
    # CSV: line 7 holds a cell longer than the csv module reads
    text = csv_bytes(["name", "credit_code"], rows).decode("utf-8-sig") + "x" * 200_000 + ",y\r\n"
    with pytest.raises(directory_import.FileError, match="3"):
        directory_import.plan_import(text.encode(), "long.csv")
    # empty rows do not count toward the limit, and a file of exactly the limit is read whole
    data = with_rows_xml(xlsx_bytes(["name", "credit_code"], rows[:2]),
                         '<row r="4"></row><row r="5"><c r="A5" t="inlineStr"><is><t></t></is></c></row>'
                         + inline_row(6, rows[2][0], rows[2][1]))
    plan = directory_import.plan_import(data, "three.xlsx")
    assert plan.counts() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert [failure for failure in plan.failures] == []


def test_an_enterprise_created_meanwhile_keeps_the_columns_the_file_leaves_out(monkeypatch):
    planned = directory_import.plan_import

    def plan_then_a_concurrent_import_creates_it(data, filename):
        plan = planned(data, filename)   # the enterprise is new to this plan …
        Enterprise.objects.create(       # … and another import creates it, with every column, before the upsert
            name="杭州西湖电子商务有限公司", credit_code=A, industry="批发和零售业", region="浙江省",
            size=EnterpriseSize.SMALL, registered_capital=Decimal("500"), legal_representative="张伟",
            status=EnterpriseStatus.CANCELLED, address="杭州市西湖区1号")
        return plan

    monkeypatch.setattr(directory_import, "plan_import", plan_then_a_concurrent_import_creates_it)
    done = directory_import.apply_import(csv_bytes(["credit_code", "name"], [[A, "杭州西湖电子商务股份有限公司"]]),
                                         "names.csv")

    assert done.counts()["created"] == 1
    xihu = Enterprise.objects.get(credit_code=A)
    assert xihu.name == "杭州西湖电子商务股份有限公司"   # the file's column is written
    assert (xihu.industry, xihu.region, xihu.size, xihu.registered_capital, xihu.legal_representative,
            xihu.status, xihu.address) == ("批发和零售业", "浙江省", EnterpriseSize.SMALL, Decimal("500"), "张伟",
                                           EnterpriseStatus.CANCELLED, "杭州市西湖区1号")


def test_the_import_page_separates_labels_from_values_as_the_language_writes_them(operator):
    """列：… （必填：…） and 已忽略的列：… in Chinese (full-width colon, no space); "Columns: …" in English."""
    zh = operator.get(IMPORT).content.decode()
    en = operator.get(IMPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "列：<code>" in zh and "必填：<code>" in zh and "列: " not in zh and "必填: " not in zh
    assert "Columns: <code>" in en and "required: <code>" in en and "：" not in en

    data = csv_bytes(["企业名称", "统一社会信用代码", "备注"], [["南京紫金教育咨询有限公司", C, "x"]])
    body = operator.post(IMPORT, {"file": SimpleUploadedFile("extra.csv", data), "dry_run": "1"}).content.decode()
    assert '<p id="import-ignored">已忽略的列：<code>备注</code></p>' in body
