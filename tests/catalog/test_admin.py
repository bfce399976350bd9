"""Operators maintain the catalogue in the admin: every catalogue screen opens, a product is edited with its
prices inline, and the price list is imported (a dry run first, which changes nothing) and exported."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from catalog import importing
from catalog.models import Price, Product, ServiceType

from ..conftest import login_client
from ..factories import UserFactory
from .test_importing import EC2, HEADER, snapshot

pytestmark = pytest.mark.django_db

IMPORT = "/admin/catalog/product/import/"


@pytest.fixture
def operator():
    return login_client(UserFactory(username="catalogue.ops", is_staff=True, is_superuser=True))


def upload(text, name="prices.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_every_catalogue_screen_opens(operator, catalogue):
    product = Product.objects.get(resource_spec="s6.small.1.linux", region__code="cn-north-4", charge_mode=1)
    for path in ("/admin/catalog/", "/admin/catalog/region/", "/admin/catalog/servicetype/",
                 "/admin/catalog/resourcetype/", "/admin/catalog/usagetype/", "/admin/catalog/measureunit/",
                 "/admin/catalog/conversion/", "/admin/catalog/product/", "/admin/catalog/product/?q=s6.small",
                 "/admin/catalog/product/?service_type__id__exact=1&charge_mode__exact=3",
                 f"/admin/catalog/product/{product.pk}/change/", "/admin/catalog/servicetype/add/", IMPORT):
        assert operator.get(path).status_code == 200, path
    listed = operator.get("/admin/catalog/product/?q=s6.small.1.linux").content.decode()
    assert product.product_id in listed and "73.70" in listed and 'id="price-list-import"' in listed


def test_the_operator_sets_which_service_types_partners_may_discount(operator, catalogue):
    vpc = ServiceType.objects.get(code="hws.service.type.vpc")
    response = operator.post(f"/admin/catalog/servicetype/{vpc.pk}/change/", {
        "code": vpc.code, "name": vpc.name, "name_en": vpc.name_en, "abbreviation": vpc.abbreviation,
        "allow_discount": "on", "max_partner_discount": "0.050",
        "resource_types-TOTAL_FORMS": "0", "resource_types-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    vpc.refresh_from_db()
    assert (vpc.allow_discount, vpc.max_partner_discount) == (True, Decimal("0.050"))


def test_a_product_is_edited_with_its_prices(operator, catalogue):
    product = Product.objects.get(resource_spec="s6.small.1.linux", region__code="cn-north-4", charge_mode=1)
    month, year = sorted(product.prices.all(), key=lambda p: p.period_type)
    page = operator.get(f"/admin/catalog/product/{product.pk}/change/")
    data = {name: value for name, value in _form_values(page.content.decode()).items()}
    data.update({"spec_name": "通用计算型 s6.small.1（新）", "prices-0-amount": "70.00",
                 "prices-0-id": str(month.pk), "prices-1-id": str(year.pk)})
    response = operator.post(f"/admin/catalog/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert product.spec_name == "通用计算型 s6.small.1（新）"
    assert Price.objects.get(pk=month.pk).amount == Decimal("70.00")


def _form_values(html):
    """The values a browser would submit from the change form (inputs, checked boxes, selected options)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                values[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = selected.group(1) if selected else ""
    return values


def test_a_dry_run_shows_the_errors_and_changes_nothing(operator, catalogue):
    before = snapshot()
    text = "\n".join([HEADER, f"{EC2},s9.admin.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,",
                      f"{EC2},s9.admin.2.linux,新规格,New spec,mars-1,1,2,abc,0,,,,0,"])

    response = operator.post(IMPORT, {"file": upload(text), "dry_run": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    errors = re.findall(r'<tr class="price-list-error"><td>(\d+)</td><td><code>(\w+)</code></td>', page)
    assert errors == [("3", "region_code"), ("3", "price")]
    assert 'id="price-list-apply"' not in page
    assert snapshot() == before
    imported = operator.post(IMPORT, {"file": upload(text), "apply": "1"})  # importing it at once: refused too
    assert imported.status_code == 200 and 'id="price-list-errors"' in imported.content.decode()
    assert snapshot() == before


def test_a_good_file_is_imported_at_once(operator, catalogue):
    text = "\n".join([HEADER, f"{EC2},s9.now.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,"])
    assert operator.post(IMPORT, {"file": upload(text), "apply": "1"}).status_code == 302
    assert Product.objects.get(resource_spec="s9.now.linux").prices.get().amount == Decimal("80")


def test_a_clean_dry_run_then_the_import(operator, catalogue):
    text = "\n".join([HEADER, f"{EC2},s9.admin.linux,新规格,New spec,cn-north-4,1,2,80.00,0,,,,0,",
                      f"{EC2},s9.admin.linux,新规格,New spec,cn-north-4,1,3,800.00,0,,,,0,"])
    before = snapshot()

    checked = operator.post(IMPORT, {"file": upload(text), "dry_run": "1"})

    page = checked.content.decode()
    assert snapshot() == before
    assert 'id="price-list-apply"' in page
    hidden = dict(re.findall(r'<input type="hidden" name="(content|filename|digest)" value="([^"]*)"', page))
    assert set(hidden) == {"content", "filename", "digest"}
    applied = operator.post(IMPORT, {**hidden, "apply": "1"})
    assert applied.status_code == 302
    product = Product.objects.get(resource_spec="s9.admin.linux")
    assert sorted(p.amount for p in product.prices.all()) == [Decimal("80"), Decimal("800")]
    assert LogEntry.objects.filter(object_repr="price list prices.csv").exists()


def test_a_tampered_carried_file_is_refused(operator, catalogue):
    before = snapshot()
    response = operator.post(IMPORT, {"content": "aGVsbG8=", "filename": "x.csv", "digest": "0" * 64, "apply": "1"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_export_follows_the_change_lists_filters_and_imports_back(operator, catalogue, file_format):
    response = operator.get(f"/admin/catalog/product/export/?q=s6.small.1.linux&format={file_format}")
    assert response.status_code == 200
    if file_format == "xlsx":
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        specs = {row[2] for row in rows[1:]}
    else:
        specs = {line.split(",")[2] for line in response.content.decode("utf-8-sig").splitlines()[1:]}
    assert specs == {"s6.small.1.linux"}
    plan = importing.plan_import(importing.read_table(response.content, f"p.{file_format}"))
    assert plan.ok and plan.changes == 0 and plan.rows == 9  # 3 regions × (month, year, per hour)


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))
    return login_client(user)


def test_importing_takes_the_permissions_to_change_products_and_prices(catalogue):
    viewer = staff_with("view_product", "view_price")
    assert viewer.get(IMPORT).status_code == 403
    assert 'id="price-list-import"' not in viewer.get("/admin/catalog/product/").content.decode()
    assert viewer.get("/admin/catalog/product/export/?format=csv").status_code == 200
    assert staff_with().get("/admin/catalog/product/export/?format=csv").status_code == 403
    editor = staff_with("view_product", "add_product", "change_product", "add_price", "change_price")
    assert editor.get(IMPORT).status_code == 200
