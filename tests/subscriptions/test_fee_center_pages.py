"""费用中心 ▸ 续费管理 and 退订管理, through the Django test client against the real services.

Resources are bought and paid through trade's services, as production makes them; the ORM only sets the
stage (a state, an expiry) and reads the result. Two-step confirmations are posted back as the browser
would (the hidden fields of #confirm-form). Refund figures are worked out by hand from the rule in
subscriptions/refunds.py: a server at 73.70 a month, bought on 2026-01-01 00:00 UTC (31 days), a 10%
handling fee, unsubscribed on 2026-01-11 12:00 (10.5 days in):
    used = 73.70 × 10.5 / 31 = 24.96, fee = (73.70 − 24.96) × 0.10 = 4.87, refund = 43.87.
"""

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import ServiceType
from customers.choices import ChargingMode, PeriodStatus
from customers.models import Resource
from subscriptions.choices import ExpirePolicy
from subscriptions.models import AutoRenewal, RenewConfig, Unsubscription
from trade import services as trade
from trade.choices import OrderStatus, OrderType
from trade.models import Order

from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, CustomerUserFactory
from ..trade.payment_helpers import World, balance, period_item, verify_ledger

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month in cn-north-4
DISK = ("hws.resource.type.volume", "SSD")             # 1.00 per GB a month
RENEWALS, UNSUBSCRIBE = "/fee-center/subscriptions/renewals/", "/fee-center/subscriptions/unsubscribe/"
PREVIEW = "/fee-center/subscriptions/unsubscribe/preview/"


def utc(text) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=dt_timezone.utc)


def buy(w, *, disk=False, months=1, coupons=(), customer=None, user=None):
    """A server (and a 40 GB disk) bought and paid by the resale customer: (main, [subordinates])."""
    customer, user = customer or w.resale, user or w.resale_user
    items = [period_item(*SERVER, months=months, item_id="vm")]
    if disk:
        items.append(period_item(*DISK, size=40, months=months, item_id="disk"))
    order = trade.place_order(user, customer_id=customer.domain_id, items=items)
    trade.pay_order(user, order_id=order.order_id, coupon_ids=list(coupons))
    main = Resource.objects.get(order_id=order.order_id, is_main_resource=True)
    return main, list(Resource.objects.filter(parent_resource_id=main.resource_id, is_main_resource=False))


@pytest.fixture
def w(db):
    world = World("fc")
    world.allocate("2000.00")
    return world


@pytest.fixture
def client(w):
    return login_client(w.resale_user.user)


def body(response) -> str:
    return response.content.decode()


def rows(response, table) -> list[str]:
    """The data-resource (or data-order) values of a table's rows, in order."""
    html = body(response)
    found = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S)
    assert found, f"no table #{table}"
    return re.findall(r'<tr[^>]* data-(?:resource|order)="([^"]+)"', found.group(0))


def confirm_fields(response) -> dict:
    html = body(response)
    form = re.search(r'<form method="post" id="confirm-form">(.*?)</form>', html, re.S)
    assert form, "no confirmation form on the page"
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)):
        fields.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


def fresh(resource) -> Resource:
    return Resource.objects.get(pk=resource.pk)


# -------------------------------------------------------------------------------------------
# Who may open what
# -------------------------------------------------------------------------------------------

def test_the_pages_are_the_customers_and_actions_take_posts_only(w, client):
    main, _subs = buy(w)
    for url in (RENEWALS, UNSUBSCRIBE, f"{UNSUBSCRIBE}?tab=history"):
        assert client.get(url).status_code == 200, url
        assert login_client(w.tenant.admin.user).get(url).status_code == 403, url
    actions = ["renew/", "auto-renew/", "auto-renew/cancel/", "at-expiry/", "to-on-demand/", "switch-now/",
               "settings/"]
    for action in actions:
        url = f"{RENEWALS}{action}"
        response = client.get(url)  # the Back link of a confirmation, a reload: back to the list, nothing done
        assert response.status_code == 302 and response["Location"] == RENEWALS, url
        assert client.put(url).status_code == 405, url
        assert login_client(w.tenant.admin.user).post(url, {"resource": main.resource_id}).status_code == 403
    assert client.get(PREVIEW)["Location"] == UNSUBSCRIBE


def other_customer(w):
    """Another resale customer of the same partner, funded, with a user."""
    other = AssociationFactory(partner=w.partner, association_type="2").customer
    w.allocate("500.00", other)
    return other, actor_of(CustomerUserFactory(customer=other).user)


def test_another_customers_resource_or_refund_is_not_found(w, client):
    other, other_user = other_customer(w)
    theirs, _subs = buy(w, customer=other, user=other_user)
    for action in ("auto-renew/", "auto-renew/cancel/", "at-expiry/", "switch-now/"):
        assert client.post(f"{RENEWALS}{action}", {"resource": theirs.resource_id}).status_code == 404, action
        assert client.post(f"{RENEWALS}{action}", {"resource": "made-up"}).status_code == 404, action
    assert client.post(f"{RENEWALS}renew/", {"resources": [theirs.resource_id]}).status_code == 404
    assert client.post(PREVIEW, {"resource": theirs.resource_id}).status_code == 404
    # their unsubscription's refund, and an order of ours that is no refund
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        from subscriptions import unsubscribing

        order = unsubscribing.unsubscribe(other_user, resource_ids=[theirs.resource_id], unsubscribe_type=1,
                                          reason_type=5).orders[0]
    assert client.get(f"/fee-center/subscriptions/refunds/{order.order_id}/").status_code == 404
    mine, _subs = buy(w)
    assert client.get(f"/fee-center/subscriptions/refunds/{mine.order_id}/").status_code == 404
    assert Resource.objects.get(pk=theirs.pk).status == PeriodStatus.CLOSED  # theirs only, by themselves


def local_noon(days):
    """Noon (Asia/Shanghai) `days` calendar days from today: whatever the hour the test runs at, that is
    `days` days left on the pages, which count calendar days."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))


# -------------------------------------------------------------------------------------------
# 续费管理: the list
# -------------------------------------------------------------------------------------------

def test_renewals_list_the_live_main_resources_soonest_expiry_first_with_days_left_and_what_happens(w, client):
    later, [disk] = buy(w, disk=True, months=3)
    soon, _none = buy(w)
    grace, _none = buy(w)
    released, _none = buy(w)
    now = timezone.now()
    Resource.objects.filter(pk=soon.pk).update(expire_time=local_noon(5))  # days left count calendar days
    Resource.objects.filter(pk=grace.pk).update(status=PeriodStatus.EXPIRED, expire_time=now - timedelta(days=2))
    Resource.objects.filter(pk=released.pk).update(status=PeriodStatus.CLOSED)
    AutoRenewal.objects.create(resource=later, customer=w.resale, period_type="YEAR", times=3, renewed=1)
    Resource.objects.filter(pk=later.pk).update(expire_policy=ExpirePolicy.AUTO_RENEW)
    other, other_user = other_customer(w)
    buy(w, customer=other, user=other_user)
    pending = trade.place_order(w.resale_user, customer_id=w.resale.domain_id, order_type=OrderType.RENEW,
                                resource_ids=[soon.resource_id], items=[period_item(*SERVER)])

    response = client.get(RENEWALS)

    assert rows(response, "renewals") == [grace.resource_id, soon.resource_id, later.resource_id]
    html = body(response)
    row = re.search(rf'<tr data-resource="{soon.resource_id}">.*?</tr>', html, re.S).group(0)
    assert 'data-days="5"' in row and 'data-status="2"' in row
    assert f'href="/fee-center/orders/{pending.order_id}/"' in row  # the renewal waiting for payment
    row = re.search(rf'<tr data-resource="{grace.resource_id}">.*?</tr>', html, re.S).group(0)
    assert 'data-days="-2"' in row and 'data-status="5"' in row
    frozen_on = timezone.localdate(now - timedelta(days=2) + settings.SUBSCRIPTION_GRACE_PERIOD)
    assert f"{frozen_on.isoformat()}" in row  # the grace period ends: frozen unless renewed
    row = re.search(rf'<tr data-resource="{later.resource_id}">.*?</tr>', html, re.S).group(0)
    assert 'data-policy="3"' in row and "auto-renew-on" in row and "auto-renew-cancel" in row
    assert "res-subordinates" in row and "switch-now" in row
    assert disk.resource_id not in rows(response, "renewals")
    assert 'id="my-balance"' in html and 'id="renew-config-form"' in html


def test_renewals_filter_by_service_type_state_and_expiring_within_n_days(w, client):
    soon, _none = buy(w)
    later, _none = buy(w, months=3)
    grace, _none = buy(w)
    now = timezone.now()
    Resource.objects.filter(pk=soon.pk).update(expire_time=now + timedelta(days=6))
    Resource.objects.filter(pk=grace.pk).update(status=PeriodStatus.EXPIRED, expire_time=now - timedelta(days=1))
    assert rows(client.get(f"{RENEWALS}?within=7"), "renewals") == [soon.resource_id]
    assert rows(client.get(f"{RENEWALS}?within=30"), "renewals") == [soon.resource_id]
    assert set(rows(client.get(f"{RENEWALS}?within=90"), "renewals")) == {soon.resource_id, later.resource_id}
    assert rows(client.get(f"{RENEWALS}?status=5"), "renewals") == [grace.resource_id]
    assert len(rows(client.get(f"{RENEWALS}?service_type=hws.service.type.ec2"), "renewals")) == 3
    empty = client.get(f"{RENEWALS}?service_type=hws.service.type.obs")
    assert rows(empty, "renewals") == [] and 'class="empty"' in body(empty)
    assert rows(client.get(f"{RENEWALS}?search={later.resource_id[:12]}"), "renewals") == [later.resource_id]
    # a value the filter cannot use is shown on its field; the page still answers
    assert client.get(f"{RENEWALS}?within=abc").status_code == 200


def test_an_empty_fee_center_says_so(w, client):
    assert 'class="empty"' in body(client.get(RENEWALS))
    assert 'class="empty"' in body(client.get(UNSUBSCRIBE))
    assert 'class="empty"' in body(client.get(f"{UNSUBSCRIBE}?tab=history"))


@pytest.mark.parametrize("url", [RENEWALS, UNSUBSCRIBE, f"{UNSUBSCRIBE}?tab=history"])
def test_the_lists_run_the_same_queries_for_few_and_many_resources(w, client, url):
    from subscriptions import unsubscribing

    w.allocate("2000.00")
    counts = []
    for total in (1, 3, 25):
        while Resource.objects.filter(customer=w.resale, is_main_resource=True).count() < total:
            main, _subs = buy(w, disk=True)
            AutoRenewal.objects.create(resource=main, customer=w.resale, period_type="MONTH")
            trade.place_order(w.resale_user, customer_id=w.resale.domain_id, order_type=OrderType.RENEW,
                              resource_ids=[main.resource_id], items=[period_item(*SERVER)])
            if "history" in url:
                unsubscribing.unsubscribe(w.resale_user, resource_ids=[main.resource_id], unsubscribe_type=1,
                                          reason_type=1)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        table = "unsubscriptions" if "history" in url else "renewals" if url == RENEWALS else "unsubscribable"
        assert len(rows(response, table)) == min(total, 20)
        counts.append(len(queries))
    # (the first page with a row loads the catalogue's names into the process cache)
    assert counts[1] == counts[2], counts


# -------------------------------------------------------------------------------------------
# 续费管理: the actions
# -------------------------------------------------------------------------------------------

def test_renew_shows_the_price_then_places_one_order_and_leads_to_its_payment(w, client):
    first, [disk] = buy(w, disk=True)
    second, _none = buy(w)
    ids = [first.resource_id, second.resource_id]

    shown = client.post(f"{RENEWALS}renew/", {"resources": ids})  # from the list's checkboxes
    assert shown.status_code == 200 and not Order.objects.filter(order_type=OrderType.RENEW).exists()
    assert rows(shown, "renew-resources") == ids
    # one month: the server 73.70 with its 40 GB disk 40.00, and the other server 73.70
    assert re.search(r'id="renew-total"><strong>¥187.40<', body(shown))
    priced = client.post(f"{RENEWALS}renew/", {"resources": ids, "period": "2:3", "go": "price"})
    assert re.search(r'id="renew-total"><strong>¥562.20<', body(priced))
    assert not Order.objects.filter(order_type=OrderType.RENEW).exists()

    placed = client.post(f"{RENEWALS}renew/", {"resources": ids, "period": "2:3", "go": "renew"})

    order = Order.objects.get(order_type=OrderType.RENEW)
    assert placed.status_code == 302 and placed["Location"] == f"/fee-center/orders/{order.order_id}/"
    assert order.status == OrderStatus.PENDING_PAYMENT and order.amount_after_discount == Decimal("562.20")
    assert set(order.lines.values_list("resource_id", flat=True)) == {first.resource_id, disk.resource_id,
                                                                      second.resource_id}
    assert fresh(first).expire_time == first.expire_time  # extended only when paid
    listed = body(client.get(RENEWALS))
    assert listed.count(f'href="/fee-center/orders/{order.order_id}/"') == 2


def test_renew_refusals_show_on_the_form_and_place_nothing(w, client):
    main, _none = buy(w)
    trade.place_order(w.resale_user, customer_id=w.resale.domain_id, order_type=OrderType.RENEW,
                      resource_ids=[main.resource_id], items=[period_item(*SERVER)])
    refused = client.post(f"{RENEWALS}renew/", {"resources": [main.resource_id], "period": "2:1", "go": "renew"})
    assert refused.status_code == 200 and 'class="form-errors"' in body(refused)
    assert Order.objects.filter(order_type=OrderType.RENEW).count() == 1
    many = client.post(f"{RENEWALS}renew/", {"resources": [main.resource_id] + [f"x{n}" for n in range(10)],
                                             "go": "renew"})
    assert many.status_code == 200 and "form-errors" in body(many)
    assert client.post(f"{RENEWALS}renew/", {})["Location"] == RENEWALS


def test_auto_renew_is_set_changed_and_cancelled_after_a_confirmation(w, client):
    main, [disk] = buy(w, disk=True)
    form = client.post(f"{RENEWALS}auto-renew/", {"resource": main.resource_id})
    assert form.status_code == 200 and 'id="auto-renew-form"' in body(form) and not AutoRenewal.objects.exists()

    saved = client.post(f"{RENEWALS}auto-renew/", {"resource": main.resource_id, "period_type": "YEAR", "times": "2",
                                                   "go": "save"})
    assert saved.status_code == 302 and saved["Location"] == RENEWALS
    auto = AutoRenewal.objects.get(resource=main)
    assert (auto.period_type, auto.times) == ("YEAR", 2)
    assert {fresh(main).expire_policy, fresh(disk).expire_policy} == {ExpirePolicy.AUTO_RENEW}
    bad = client.post(f"{RENEWALS}auto-renew/", {"resource": main.resource_id, "period_type": "YEAR", "times": "100",
                                                 "go": "save"})
    assert bad.status_code == 200 and AutoRenewal.objects.get(resource=main).times == 2
    client.post(f"{RENEWALS}auto-renew/", {"resource": main.resource_id, "period_type": "MONTH", "times": "0",
                                           "go": "save"})
    assert AutoRenewal.objects.filter(resource=main, period_type="MONTH", times=0).exists()

    asked = client.post(f"{RENEWALS}auto-renew/cancel/", {"resource": main.resource_id})
    assert 'id="confirm-form"' in body(asked) and AutoRenewal.objects.exists()
    done = client.post(f"{RENEWALS}auto-renew/cancel/", confirm_fields(asked))
    assert done.status_code == 302 and not AutoRenewal.objects.exists()
    assert fresh(main).expire_policy == ExpirePolicy.GRACE
    again = client.post(f"{RENEWALS}auto-renew/cancel/", confirm_fields(asked))  # the same confirmation, again
    assert again.status_code == 200 and "form-errors" in body(again)


def test_what_happens_at_expiry_is_chosen_per_resource(w, client):
    main, [disk] = buy(w, disk=True)
    form = client.post(f"{RENEWALS}at-expiry/", {"resource": main.resource_id})
    assert form.status_code == 200 and 'id="expiry-form"' in body(form)
    for policy in (ExpirePolicy.RELEASE, ExpirePolicy.FREEZE, ExpirePolicy.TO_ON_DEMAND, ExpirePolicy.GRACE):
        saved = client.post(f"{RENEWALS}at-expiry/", {"resource": main.resource_id, "policy": policy, "go": "save"})
        assert saved.status_code == 302, policy
        assert fresh(main).expire_policy == policy and fresh(disk).expire_policy == policy
    refused = client.post(f"{RENEWALS}at-expiry/", {"resource": disk.resource_id, "policy": 2, "go": "save"})
    assert refused.status_code == 200 and "form-errors" in body(refused)  # a subordinate follows its main resource
    assert client.post(f"{RENEWALS}at-expiry/", {"resource": main.resource_id, "policy": 3,
                                                 "go": "save"}).status_code == 200  # not offered here
    assert fresh(main).expire_policy == ExpirePolicy.GRACE


def test_switch_to_pay_per_use_at_expiry_is_set_and_cancelled_for_a_batch(w, client):
    first, _none = buy(w)
    second, _none = buy(w)
    ids = [first.resource_id, second.resource_id]
    done = client.post(f"{RENEWALS}to-on-demand/", {"resources": ids, "operation": "SET_UP"}, follow=True)
    assert [fresh(r).expire_policy for r in (first, second)] == [ExpirePolicy.TO_ON_DEMAND] * 2
    assert 'class="msg-success"' in body(done)
    Resource.objects.filter(pk=second.pk).update(expire_policy=ExpirePolicy.GRACE)
    partly = client.post(f"{RENEWALS}to-on-demand/", {"resources": ids, "operation": "CANCEL"}, follow=True)
    assert [fresh(r).expire_policy for r in (first, second)] == [ExpirePolicy.GRACE] * 2
    assert re.search(rf'class="msg-error">{second.resource_id}[:：]', body(partly))  # its refusal, by resource
    nothing = client.post(f"{RENEWALS}to-on-demand/", {"operation": "SET_UP"})
    assert nothing["Location"] == RENEWALS


def test_renew_settings_are_saved_and_checked(w, client):
    saved = client.post(f"{RENEWALS}settings/", {"deduction_days": "3", "expire_day": "-1"})
    assert saved["Location"] == RENEWALS
    config = RenewConfig.objects.get(customer=w.resale)
    assert (config.deduction_days, config.expire_day) == (3, -1)
    client.post(f"{RENEWALS}settings/", {"deduction_days": "5", "expire_day": ""})
    config.refresh_from_db()
    assert (config.deduction_days, config.expire_day) == (5, -1)  # an empty expiry day changes nothing
    for bad in ({"deduction_days": "9"}, {"deduction_days": "3", "expire_day": "29"}):
        client.post(f"{RENEWALS}settings/", bad)
        config.refresh_from_db()
        assert (config.deduction_days, config.expire_day) == (5, -1), bad
    page = body(client.get(RENEWALS))
    assert '<option value="5" selected>' in page and '<option value="-1" selected>' in page


# -------------------------------------------------------------------------------------------
# 退订管理: the refund first, then the unsubscription; the refund detail
# -------------------------------------------------------------------------------------------

def test_unsubscribe_shows_the_refund_then_confirms_with_a_reason_and_refunds_to_the_balance(w, client):
    ServiceType.objects.filter(code="hws.service.type.ec2").update(unsubscribe_fee_rate=Decimal("0.1"))
    with time_machine.travel(utc("2026-01-01 00:00"), tick=False):
        main, _none = buy(w)
    listed = client.get(UNSUBSCRIBE)
    assert rows(listed, "unsubscribable") == [main.resource_id] and "unsubscribe-one" in body(listed)
    before = balance(w.resale)

    with time_machine.travel(utc("2026-01-11 12:00"), tick=False):
        shown = client.post(PREVIEW, {"resource": main.resource_id})
        html = body(shown)
        one = re.search(r'id="preview-1".*?</section>', html, re.S).group(0)
        assert re.search(r'class="num item-paid">¥73.70<', one) and re.search(r'class="num item-used">¥24.96<', one)
        assert re.search(r'class="num item-fee">¥4.87<', one) and re.search(r'id="total-refund"><strong>¥43.87<', one)
        assert f'data-base-order="{main.order_id}"' in one
        assert re.search(r'data-destination="customer_balance".*?payout-amount">¥43.87<', one, re.S)
        two = re.search(r'id="preview-2".*?</section>', html, re.S).group(0)
        assert "preview-refused" in two and "refund-items" not in two  # no renewal that has not started
        assert 'id="unsubscribe-form"' in html and Unsubscription.objects.count() == 0

        no_reason = client.post(PREVIEW, {"resource": main.resource_id, "unsubscribe_type": "1"})
        assert 'id="confirm-form"' not in body(no_reason) and "has-error" in body(no_reason)
        asked = client.post(PREVIEW, {"resource": main.resource_id, "unsubscribe_type": "1", "reason_type": "4",
                                      "reason": "太贵了"})
        html = body(asked)
        assert 'id="confirm-form"' in html and "preview-2" not in html and "¥43.87" in html
        assert "太贵了" in html and Unsubscription.objects.count() == 0 and fresh(main).status == PeriodStatus.IN_USE
        fields = confirm_fields(asked)
        done = client.post(PREVIEW, fields)
        again = client.post(PREVIEW, fields)  # a double click: refused, nothing more

    unsubscription = Unsubscription.objects.get()
    order = unsubscription.order
    assert done.status_code == 302 and done["Location"] == f"/fee-center/subscriptions/refunds/{order.order_id}/"
    assert again.status_code == 200 and Unsubscription.objects.count() == 1
    assert (unsubscription.unsubscribe_type, unsubscription.reason_type, unsubscription.reason) == (1, 4, "太贵了")
    assert fresh(main).status == PeriodStatus.CLOSED and order.amount_after_discount == Decimal("43.87")
    assert balance(w.resale) == before + Decimal("43.87")
    assert "Ledger verified" in verify_ledger()

    detail = body(client.get(done["Location"]))
    assert re.search(r'id="refund-total">¥43.87<', detail) and re.search(r'class="num item-refund"><strong>¥43.87<',
                                                                          detail)
    assert re.search(rf'id="my-balance">¥{balance(w.resale):,.2f}<', detail)
    assert f'href="/fee-center/orders/{main.order_id}/"' in detail  # the base order, on the customer's side
    history = client.get(f"{UNSUBSCRIBE}?tab=history")
    assert rows(history, "unsubscriptions") == [order.order_id]
    assert f'href="/fee-center/subscriptions/refunds/{order.order_id}/"' in body(history)
    assert main.resource_id not in rows(client.get(UNSUBSCRIBE), "unsubscribable")


def test_unsubscribing_only_the_renewals_moves_the_expiry_back(w, client):
    with time_machine.travel(utc("2026-01-01 00:00"), tick=False):
        main, _none = buy(w)
        expiry = fresh(main).expire_time
        renewal = trade.place_order(w.resale_user, customer_id=w.resale.domain_id, order_type=OrderType.RENEW,
                                    resource_ids=[main.resource_id], items=[period_item(*SERVER, months=2)])
        trade.pay_order(w.resale_user, order_id=renewal.order_id)
    with time_machine.travel(utc("2026-01-20 00:00"), tick=False):
        shown = body(client.post(PREVIEW, {"resource": main.resource_id}))
        two = re.search(r'id="preview-2".*?</section>', shown, re.S).group(0)
        assert f'data-base-order="{renewal.order_id}"' in two and f'data-base-order="{main.order_id}"' not in two
        assert re.search(r'id="total-refund"><strong>¥147.40<', two)  # the renewal, not started: all of it
        asked = client.post(PREVIEW, {"resource": main.resource_id, "unsubscribe_type": "2", "reason_type": "5"})
        done = client.post(PREVIEW, confirm_fields(asked))
    assert done.status_code == 302
    assert fresh(main).status == PeriodStatus.IN_USE and fresh(main).expire_time == expiry


def test_a_refused_unsubscription_says_why_and_offers_no_form(w, client):
    main, [disk] = buy(w, disk=True)
    from catalog.models import Product

    Product.objects.filter(product_id=main.product_id).update(is_savings_plan=True)
    shown = body(client.post(PREVIEW, {"resource": main.resource_id}))
    assert shown.count("preview-refused") == 2 and 'id="unsubscribe-form"' not in shown
    sub = body(client.post(PREVIEW, {"resource": disk.resource_id}))  # a subordinate: refused too
    assert 'id="unsubscribe-form"' not in sub
    forced = client.post(PREVIEW, {"resource": main.resource_id, "unsubscribe_type": "1", "reason_type": "1"})
    assert 'id="confirm-form"' in body(forced)  # the confirmation is shown; the service still refuses
    refused = client.post(PREVIEW, confirm_fields(forced))
    assert refused.status_code == 200 and "form-errors" in body(refused) and not Unsubscription.objects.exists()
    assert fresh(main).status == PeriodStatus.IN_USE


def test_switch_now_shows_the_refund_and_the_resource_runs_pay_per_use(w, client):
    with time_machine.travel(utc("2026-01-01 00:00"), tick=False):
        main, _none = buy(w)
    before = balance(w.resale)
    with time_machine.travel(utc("2026-01-11 12:00"), tick=False):
        asked = client.post(f"{RENEWALS}switch-now/", {"resource": main.resource_id})
        html = body(asked)
        assert 'id="confirm-form"' in html and re.search(r'id="total-refund"><strong>¥48.74<', html)  # no fee set
        done = client.post(f"{RENEWALS}switch-now/", confirm_fields(asked))
    order = Order.objects.get(order_type=OrderType.TO_ON_DEMAND)
    assert done["Location"] == f"/fee-center/subscriptions/refunds/{order.order_id}/"
    switched = fresh(main)
    assert switched.charging_mode == ChargingMode.ON_DEMAND and switched.expire_time is None
    assert balance(w.resale) == before + Decimal("48.74")
    assert client.get(done["Location"]).status_code == 200
    assert "Ledger verified" in verify_ledger()


def test_days_left_read_in_chinese_first(w, client):
    main, _none = buy(w)
    Resource.objects.filter(pk=main.pk).update(status=PeriodStatus.EXPIRED, expire_time=local_noon(-3))
    html = body(client.get(RENEWALS))
    assert 'data-days="-3"' in html and '<html lang="zh-hans">' in html
