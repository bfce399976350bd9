"""Sign-in: homes per kind of user, lockout by username + IP with a cool-off, the account-wide rule that
refuses only the addresses that failed (never the user everywhere), the second factor."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.conf import settings
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
    assert client.get("/customers/").status_code == 403
    assert client.get("/fee-center/").status_code == 200


def test_signing_in_from_the_site_root_lands_each_user_at_its_own_home(tenant_a):
    """`/` sends a signed-out visitor to /login/?next=/; after signing in, a customer's user goes on to the fee
    center and an operator to the admin instead of a 403 (a user with no home still gets the 403, no loop)."""
    from ..factories import UserFactory

    UserFactory(username="ops.root", is_staff=True)
    UserFactory(username="nobody.root")
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    for username, home in ((customer_user.user.username, "/fee-center/"), ("ops.root", "/admin/"),
                           (tenant_a.admin.user.username, None), ("nobody.root", None)):
        client = Client()
        assert client.get("/")["Location"] == "/login/?next=/"
        assert client.post("/login/?next=/", {"username": username, "password": PASSWORD, "next": "/"},
                           REMOTE_ADDR="10.0.0.2")["Location"] == "/"
        root = client.get("/")
        if home:
            assert (root.status_code, root["Location"]) == (302, home), username
        else:
            assert root.status_code == (200 if username != "nobody.root" else 403), username


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


def test_wrong_passwords_refused_at_a_locked_address_are_not_checked_and_do_not_prolong_the_lock(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            sign_in(Client(), username, "wrong")
        clock.shift(timedelta(minutes=10))
        for _ in range(120):
            assert sign_in(Client(), username, "wrong").status_code == 429
        assert AccessFailureLog.objects.filter(username=username).count() == 5  # only checked passwords
        clock.shift(timedelta(minutes=6))  # 16 minutes after the fifth checked failure
        assert sign_in(Client(), username).status_code == 302


def test_an_attacker_at_one_address_cannot_lock_the_user_out_elsewhere(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(150):
            sign_in(Client(), username, "wrong", ip="10.6.6.6")
        assert sign_in(Client(), username, ip="10.0.0.2")["Location"] == "/"  # a clean address gets in
        clock.shift(timedelta(minutes=14))
        assert sign_in(Client(), username, ip="10.6.6.6").status_code == 429  # the attacker's stays locked
        clock.shift(timedelta(minutes=2))
        assert sign_in(Client(), username, ip="10.6.6.6").status_code == 302  # for its cool-off only


def test_a_user_with_a_second_factor_gets_in_from_a_clean_address_during_an_attack(tenant_a):
    user = tenant_a.admin.user
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(100):  # the account is under attack from 25 addresses ...
            sign_in(Client(), user.username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")
        for _ in range(50):  # ... and hammered from one more
            sign_in(Client(), user.username, "wrong", ip="10.6.6.6")
        client = Client()
        assert sign_in(client, user.username, ip="10.0.0.2")["Location"] == "/login/verify/"
        assert client.post("/login/verify/", {"token": _code(device)}, REMOTE_ADDR="10.0.0.2")["Location"] == "/"


def test_a_distributed_attack_gets_one_guess_per_fresh_address_once_the_account_has_100_failures(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(100):
            sign_in(Client(), username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")  # 4 per address: never locked by IP
        checked = AccessFailureLog.objects.filter(username=username).count()
        assert checked == 100
        # Every address that failed is refused now, even with the right password, without a check.
        assert sign_in(Client(), username, ip="10.1.0.0").status_code == 429
        assert sign_in(Client(), username, "wrong", ip="10.1.24.3").status_code == 429
        assert AccessFailureLog.objects.filter(username=username).count() == checked
        # A fresh address gets its password checked once; after one failure it is refused too.
        assert sign_in(Client(), username, "wrong", ip="10.2.0.1").status_code == 200
        assert sign_in(Client(), username, ip="10.2.0.1").status_code == 429
        # An address that has not failed signs in.
        assert sign_in(Client(), username, ip="10.9.9.9")["Location"] == "/"
        clock.shift(timedelta(minutes=61))
        assert sign_in(Client(), username, ip="10.1.0.0").status_code == 302


def test_the_users_own_address_is_not_refused_for_a_typo_before_it_signed_in(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(Client(), username, "wrong", ip="10.0.0.2")  # the user's typo ...
        clock.shift(timedelta(seconds=30))
        assert sign_in(Client(), username, ip="10.0.0.2").status_code == 302  # ... then the user gets in
        clock.shift(timedelta(minutes=1))
        for n in range(100):
            sign_in(Client(), username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")
        assert sign_in(Client(), username, ip="10.0.0.2").status_code == 302


def test_the_admin_sign_in_follows_the_same_account_rule(tenant_a):
    username = tenant_a.admin.user.username
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(100):
            sign_in(Client(), username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")
        refused = Client().post("/admin/login/", {"username": username, "password": "guess"}, REMOTE_ADDR="10.1.0.0")
        assert refused.status_code == 429
        assert AccessFailureLog.objects.filter(username=username).count() == 100


def test_the_account_rule_still_sees_new_failures_after_a_thousand_old_ones(tenant_a):
    """axes trims each user's failure log to a limit with an unordered delete; our handler trims oldest
    first. The old rows get the higher ids here, so a delete by id would drop the new failures instead."""
    username = tenant_a.admin.user.username
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for n in range(100):
            sign_in(Client(), username, "wrong", ip=f"10.1.{n // 4}.{n % 4}")
    with time_machine.travel(now - timedelta(days=2), tick=False):
        AccessFailureLog.objects.bulk_create(
            AccessFailureLog(username=username, ip_address="10.3.0.1", user_agent="", http_accept="", path_info="/login/")
            for _ in range(settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT)
        )
    with time_machine.travel(now, tick=False):
        sign_in(Client(), username, "wrong", ip="10.9.9.9")  # a fresh address is still checked: the log is trimmed
        assert AccessFailureLog.objects.filter(username=username).count() == settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
        assert sign_in(Client(), username, ip="10.1.0.0").status_code == 429


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


def test_a_user_deactivated_between_the_two_steps_starts_again(tenant_a):
    user = tenant_a.admin.user
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    assert sign_in(client, user.username)["Location"] == "/login/verify/"
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    again = client.post("/login/verify/", {"token": _code(device)})
    assert again["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def _code(device):
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token.time = timezone.now().timestamp()
    return f"{token.token():06d}"


def test_pages_require_sign_in():
    response = Client().get("/org/members/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
