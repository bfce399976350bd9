"""Operators read orders (lines, discount rows, coupon uses, payment requests, adjustments) in the admin
and record when the cloud issued the VAT invoice of a partner-paid referral order — through the service,
with the model permission, once."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from partnercenter.models import OperationLog
from trade import services
from trade.models import Order

from ..conftest import login_client
from ..factories import UserFactory
from .payment_helpers import World, period_item

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")


def invoiceable_order(world):
    order = services.place_order(world.referral_user, customer_id=world.referral.domain_id,
                                 items=[period_item(*SERVER)])
    request = services.request_partner_payment(world.referral_user, order_id=order.order_id)
    services.decide_payment_request(world.admin, request_id=request.pk, approve=True)
    return Order.objects.get(pk=order.pk)


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="trade", codename__in=codenames))
    return login_client(user)


def test_the_operator_reads_an_order_and_records_its_vat_invoice_once():
    world = World()
    order = invoiceable_order(world)
    operator = login_client(UserFactory(is_staff=True, is_superuser=True))
    listed = operator.get("/admin/trade/order/")
    assert listed.status_code == 200 and order.order_id in listed.content.decode()
    page = operator.get(f"/admin/trade/order/{order.pk}/change/")
    assert page.status_code == 200 and "vat_invoice_issued_at" in page.content.decode()

    for _ in range(2):  # the second run finds it recorded and changes nothing
        operator.post("/admin/trade/order/", {"action": "record_vat_invoice_today", "_selected_action": [order.pk]})

    order.refresh_from_db()
    assert order.vat_invoice_issued_at is not None
    assert list(OperationLog.objects.filter(action="order.vat_invoice").order_by("id").values_list("result", flat=True)) == [
        "success", "failure"]
    for path in ("/admin/trade/paymentrequest/", "/admin/trade/priceadjustment/", "/admin/trade/partnerdiscount/"):
        assert operator.get(path).status_code == 200, path


def test_the_vat_invoice_date_is_set_in_the_change_form_through_the_service():
    world = World()
    order = invoiceable_order(world)
    operator = login_client(UserFactory(is_staff=True, is_superuser=True))
    response = operator.post(f"/admin/trade/order/{order.pk}/change/", {
        "vat_invoice_issued_at_0": "2026-11-20", "vat_invoice_issued_at_1": "10:00:00",
        **{f"{prefix}-{key}": value for prefix in ("lines", "discounts", "coupon_uses", "payment_requests",
                                                   "price_adjustments")
           for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}})
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert timezone.localtime(order.vat_invoice_issued_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 10:00"
    assert OperationLog.objects.get(action="order.vat_invoice").result == "success"


def test_recording_takes_the_permission_not_just_staff():
    world = World()
    order = invoiceable_order(world)
    viewer = staff_with("view_order")
    assert viewer.get("/admin/trade/order/").status_code == 200
    viewer.post("/admin/trade/order/", {"action": "record_vat_invoice_today", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.vat_invoice_issued_at is None
    assert staff_with().get("/admin/trade/order/").status_code == 403
