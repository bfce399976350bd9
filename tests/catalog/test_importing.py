"""The price list (catalog.importing): a dry run lists every wrong row and changes nothing; an import
writes every product and price in one transaction, or nothing when a row is wrong; an export imports back
unchanged, as CSV and as Excel."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from catalog import importing
from catalog.choices import ChargeMode, PeriodType
from catalog.demo import demo_product_id
from catalog.models import Price, Product

pytestmark = pytest.mark.django_db

HEADER = ("service_type_code,resource_type_code,resource_spec,spec_name,spec_name_en,region_code,charge_mode,"
          "period_type,price,is_linear,size_measure_id,usage_type_code,usage_measure_id,is_marketplace,product_id")
EC2 = "hws.service.type.ec2,hws.resource.type.vm"
EVS = "hws.service.type.evs,hws.resource.type.volume"


def snapshot():
    """Every product and price, every field."""
    products = sorted(Product.objects.values_list(
        "product_id", "service_type_id", "resource_type_id", "region_id", "resource_spec", "spec_name",
        "spec_name_en", "charge_mode", "is_linear", "size_measure_id", "min_size", "max_size", "usage_type_id",
        "usage_measure_id", "is_package", "package_quota", "package_reset", "is_marketplace", "is_stored_card",
        "is_active"))
    prices = sorted(Price.objects.values_list("product__product_id", "period_type", "amount"),
                    key=lambda row: (row[0], -1 if row[1] is None else row[1]))
    return products, prices


def table(*lines, header=HEADER, filename="prices.csv"):
    text = "\n".join([header, *lines]) + "\n"
    return importing.read_table(text.encode(), filename)


def test_a_dry_run_lists_every_wrong_row_and_changes_nothing(catalogue):
    before = snapshot()
    rows = table(
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,",            # 2: fine
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,2,81.00,0,,,,0,",            # 3: the month twice
        "hws.service.type.nope,hws.resource.type.vm,x,x,,cn-north-4,1,2,1,0,,,,0,",     # 4: no such service type
        f"{EC2},s9.new.2.linux,x,,mars-1,1,2,1,0,,,,0,",                                   # 5: no such region
        f"{EVS},HDD,x,,cn-north-4,1,2,0.30,1,,,,0,",                                       # 6: linear, no size unit
        f"{EC2},s9.od.linux,x,,cn-north-4,3,2,0.10,0,,Duration,4,0,",                    # 7: on-demand with period
        f"{EC2},s9.od.linux,x,,cn-north-4,3,,0.10,0,,,,0,",                              # 8: on-demand, no usage
        f"{EC2},s9.new.3.linux,x,,cn-north-4,1,2,1.12345678901,0,,,,0,",                 # 9: 11 decimals
        f"{EC2},s9.new.4.linux,x,,cn-north-4,1,2,-1,0,,,,0,",                            # 10: negative
        f"{EC2},s9.new.5.linux,x,,cn-north-4,2,2,1,0,,,,0,",                             # 11: charge mode 2
        "hws.service.type.evs,hws.resource.type.vm,x,x,,cn-north-4,1,2,1,0,,,,0,",      # 12: vm is not evs's
        f"{EC2},s9.new.1.linux,另一个名字,New spec,cn-north-4,1,3,800.00,0,,,,0,",       # 13: differs from line 2
        f"{EC2},s9.new.6.linux,x,,cn-north-4,1,2,1,maybe,,,,0,",                         # 14: not a yes/no
        f"{EC2},s6.small.1.linux,x,,cn-north-4,1,2,1,0,,,,0,OFFIWRONG",                  # 15: not its ID
    )

    plan = importing.plan_import(rows)

    assert not plan.ok
    assert [(e.line, e.column) for e in plan.errors] == [
        (3, "period_type"), (4, "service_type_code"), (5, "region_code"), (6, "size_measure_id"),
        (7, "period_type"), (8, "usage_type_code"), (8, "usage_measure_id"), (9, "price"), (10, "price"),
        (11, "charge_mode"), (12, "resource_type_code"), (13, "spec_name"), (14, "is_linear"), (15, "product_id"),
    ]
    assert "2" in plan.errors[0].message and "2" in plan.errors[-3].message  # both point at line 2
    assert snapshot() == before


def test_an_import_with_one_wrong_row_writes_nothing(catalogue):
    before = snapshot()
    rows = table(f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,",
                 f"{EC2},s9.new.2.linux,新规格2,New spec 2,cn-north-4,1,2,abc,0,,,,0,")

    plan = importing.apply_import(rows)

    assert [(e.line, e.column) for e in plan.errors] == [(3, "price")]
    assert snapshot() == before


def test_a_dry_run_of_a_good_file_says_what_it_would_change_and_changes_nothing(catalogue):
    before = snapshot()
    rows = table(
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,",
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,3,800.00,0,,,,0,",
        f"{EC2},s6.small.1.linux,通用计算型|s6.small.1|1vCPUs|1GiB|Linux,"
        f"General computing|s6.small.1|1 vCPU|1 GiB|Linux,cn-north-4,1,2,70.00,0,,,,0,",     # the month price changes
        f"{EC2},s6.small.1.linux,通用计算型|s6.small.1|1vCPUs|1GiB|Linux,"
        f"General computing|s6.small.1|1 vCPU|1 GiB|Linux,cn-north-4,1,3,737.00,0,,,,0,",    # the year price stays
    )

    plan = importing.plan_import(rows)

    assert plan.ok
    assert plan.counts() == {"products_created": 1, "products_updated": 0, "products_unchanged": 1,
                             "prices_created": 2, "prices_updated": 1, "prices_unchanged": 1}
    assert plan.lines == {2: "create", 3: "create", 4: "update", 5: "unchanged"}
    assert snapshot() == before


def test_an_import_creates_and_updates_products_and_prices(catalogue):
    server = Product.objects.get(product_id=demo_product_id("hws.resource.type.vm", "s6.small.1.linux", "cn-north-4",
                                                            ChargeMode.PERIOD))
    rows = table(
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,1,OFFINEW0001",
        f"{EC2},s9.new.1.linux,新规格,New spec,cn-north-4,1,3,800.00,0,,,,1,",
        f"{EC2},s6.small.1.linux,通用计算型 s6.small.1,General s6.small.1,cn-north-4,1,2,70.5,0,,,,0,",
        f"{EVS},SSD,超高IO,Ultra-high I/O,cn-north-4,3,,0.0013888889,1,17,Duration,4,0,",
    )

    plan = importing.apply_import(rows)

    assert plan.ok, plan.errors
    new = Product.objects.get(product_id="OFFINEW0001")
    assert (new.spec_name, new.spec_name_en, new.is_marketplace, new.charge_mode) == ("新规格", "New spec", True, 1)
    assert {p.period_type: p.amount for p in new.prices.all()} == {PeriodType.MONTH: Decimal("80"),
                                                                 PeriodType.YEAR: Decimal("800")}
    server.refresh_from_db()
    assert server.spec_name == "通用计算型 s6.small.1"
    assert {p.period_type: p.amount for p in server.prices.all()} == {PeriodType.MONTH: Decimal("70.5"),
                                                                    PeriodType.YEAR: Decimal("737")}
    disk = Product.objects.get(resource_spec="SSD", region__code="cn-north-4", charge_mode=ChargeMode.ON_DEMAND)
    assert disk.prices.get().amount == Decimal("0.0013888889")
    again = importing.plan_import(rows)
    assert again.changes == 0


def test_a_product_alone_and_resource_packages(catalogue):
    rows = table(
        "hws.service.type.obs,hws.resource.type.obs,obs.pkg.1tb,标准存储包 1TB,,cn-north-4,1,,,0,,,,0,",
        header=HEADER,
    )
    assert [(e.line, e.column) for e in importing.plan_import(rows).errors] == []
    header = HEADER + ",is_package,package_quota,package_reset"
    wrong = table("hws.service.type.obs,hws.resource.type.obs,obs.pkg.1tb,标准存储包 1TB,,cn-north-4,1,2,200,0,,,,0,,1,,",
                  header=header)
    assert [(e.line, e.column) for e in importing.plan_import(wrong).errors] == [(2, "package_quota"),
                                                                               (2, "package_reset")]
    right = table("hws.service.type.obs,hws.resource.type.obs,obs.pkg.1tb,标准存储包 1TB,,cn-north-4,1,2,200,0,,,,0,,1,"
                  "1024,1", header=header)
    assert importing.apply_import(right).ok
    package = Product.objects.get(resource_spec="obs.pkg.1tb")
    assert (package.is_package, package.package_quota, package.package_reset) == (True, Decimal("1024"), 1)


@pytest.mark.parametrize("header,problem", [
    ("service_type_code,resource_type_code,resource_spec,region_code,charge_mode", "price"),
    (HEADER + ",colour", "colour"),
    (HEADER + ",price", "price"),
])
def test_a_header_without_a_required_column_or_with_an_unknown_one_is_refused(header, problem):
    with pytest.raises(importing.PriceListError, match=problem):
        table(header=header)


def test_an_unreadable_file_is_refused():
    with pytest.raises(importing.PriceListError):
        importing.read_table(b"PK\x03\x04 not really a workbook", "prices.xlsx")
    with pytest.raises(importing.PriceListError):
        importing.read_table(b"{}", "prices.json")


def test_a_gbk_csv_from_excel_is_read(catalogue):
    text = "\n".join([HEADER, f"{EC2},s9.gbk.linux,国标编码规格,,cn-north-4,1,2,10,0,,,,0,"]) + "\n"
    plan = importing.apply_import(importing.read_table(text.encode("gb18030"), "prices.csv"))
    assert plan.ok
    assert Product.objects.get(resource_spec="s9.gbk.linux").spec_name == "国标编码规格"


def test_an_excel_file_with_numbers_in_cells_is_read(catalogue):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["hws.service.type.ec2", "hws.resource.type.vm", "s9.xl.linux", "Excel 规格", None, "cn-north-4",
                  1, 2, 0.22, 0, None, None, None, False, None])
    sheet.append(["hws.service.type.ec2", "hws.resource.type.vm", "s9.xl.linux", "Excel 规格", None, "cn-north-4",
                  1.0, 3.0, 2200, 0, None, None, None, False, None])
    buffer = BytesIO()
    book.save(buffer)

    plan = importing.apply_import(importing.read_table(buffer.getvalue(), "prices.xlsx"))

    assert plan.ok, plan.errors
    product = Product.objects.get(resource_spec="s9.xl.linux")
    assert {p.period_type: p.amount for p in product.prices.all()} == {2: Decimal("0.22"), 3: Decimal("2200")}


@pytest.mark.parametrize("writer,filename", [(importing.write_csv, "prices.csv"), (importing.write_xlsx, "prices.xlsx")])
def test_an_export_imports_back_unchanged(catalogue, writer, filename):
    before = snapshot()
    exported = writer(importing.export_rows())

    plan = importing.plan_import(importing.read_table(exported, filename))

    assert plan.ok, plan.errors[:3]
    counts = plan.counts()
    assert plan.changes == 0
    assert counts["products_unchanged"] == Product.objects.count() and counts["prices_unchanged"] == Price.objects.count()
    # into an empty catalogue it builds the same products and prices, ids included
    Price.objects.all().delete()
    Product.objects.all().delete()
    assert importing.apply_import(importing.read_table(exported, filename)).ok
    assert snapshot() == before


def test_the_export_has_one_row_per_price_with_the_prices_as_written(catalogue):
    rows = importing.export_rows(Product.objects.filter(resource_spec="s6.small.1.linux", region__code="cn-north-4"))
    assert [(row["charge_mode"], row["period_type"], row["price"]) for row in rows] == [
        (1, 2, Decimal("73.70")), (1, 3, Decimal("737.00")), (3, None, Decimal("0.22"))]
    sheet = load_workbook(BytesIO(importing.write_xlsx(rows))).active
    assert [cell.value for cell in sheet[1]] == importing.COLUMNS
    assert sheet.cell(row=2, column=importing.COLUMNS.index("price") + 1).value == 73.7


def test_formula_like_texts_stay_texts_and_import_back(catalogue):
    rows = table(f"{EC2},s9.formula.linux,=HYPERLINK(\"x\"),+1 spec,cn-north-4,1,2,10,0,,,,0,")
    assert importing.apply_import(rows).ok
    exported = importing.export_rows(Product.objects.filter(resource_spec="s9.formula.linux"))
    csv_text = importing.write_csv(exported).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1 spec" in csv_text
    for writer, filename in ((importing.write_csv, "p.csv"), (importing.write_xlsx, "p.xlsx")):
        plan = importing.plan_import(importing.read_table(writer(exported), filename))
        assert plan.ok and plan.changes == 0, (filename, plan.errors)
