"""Sign-in: homes per kind of user, lockout by username + IP with a cool-off, the second factor."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..factories import PASSWORD, CustomerUserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_member_lands_in_partner_center_and_a_customer_in_the_fee_center(tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    assert sign_in(Client(), tenant_a.admin.user.username)["Location"] == "/"
    assert sign_in(Client(), customer_user.user.username)["Location"] == "/fee-center/"


def test_a_customer_user_cannot_open_partner_pages(tenant_a):
    client = Client()
    sign_in(client, CustomerUserFactory(customer=tenant_a.resale).user.username)
    assert client.get("/").status_code == 403
    assert client.get("/fee-center/").status_code == 200


def test_wrong_password_shows_a_form_error(tenant_a):
    response = sign_in(Client(), tenant_a.admin.user.username, "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_five_failures_lock_the_username_at_that_ip_for_a_while(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            sign_in(Client(), username, "wrong")
        locked = sign_in(Client(), username)  # even the right password
        other_ip = sign_in(Client(), username, ip="10.0.0.2")
        assert locked.status_code == 429
        assert other_ip.status_code == 302
        clock.shift(timedelta(minutes=16))
        assert sign_in(Client(), username).status_code == 302  # a cool-off, not a permanent lock


def test_an_account_takes_at_most_100_failures_an_hour_from_all_addresses(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(100):
            sign_in(Client(), username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")  # 4 per address: never locked by IP
        assert sign_in(Client(), username, ip="10.9.9.9").status_code == 429
        clock.shift(timedelta(minutes=61))
        assert sign_in(Client(), username, ip="10.9.9.9").status_code == 302


def test_a_user_with_a_device_needs_the_second_step(tenant_a):
    user = tenant_a.admin.user
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        first = sign_in(client, user.username)
        assert first["Location"] == "/login/verify/"
        assert client.get("/").status_code == 302  # not signed in yet
        wrong = client.post("/login/verify/", {"token": "000000" if _code(device) != "000000" else "111111"})
        assert wrong.status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        right = client.post("/login/verify/", {"token": _code(device)})
    assert right["Location"] == "/"
    assert client.get("/").status_code == 200


def _code(device):
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token.time = timezone.now().timestamp()
    return f"{token.token():06d}"


def test_pages_require_sign_in():
    response = Client().get("/org/members/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
