"""Verification codes for sensitive operations (验证码验证): asked when on, refused without a good code
with nothing changed, throttled after failures, not asked when off; e-mailed codes are hashed,
single-use and valid five minutes."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnercenter import services
from partnercenter.errors import Codes, DomainError
from partnercenter.models import AccessKey, EmailCodeDevice, OperationLog

from ..conftest import actor_of

pytestmark = pytest.mark.django_db

# The start of a TOTP step, so moving a few seconds stays within it.
T0 = datetime(2026, 11, 22, 8, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def member(tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    return tenant_a.admin


@pytest.fixture
def device(member):
    return TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)


def _totp_at(device, at):
    """The device's TOTP code at a given time."""
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token.time = at.timestamp()
    return token.token()


def create_key(member, code):
    return services.create_access_key(actor_of(member), description="ci", verification_code=code)


def test_without_a_code_the_operation_is_refused_and_nothing_changes(member, device):
    keys_before = AccessKey.objects.count()
    with pytest.raises(DomainError) as refused:
        create_key(member, None)
    assert refused.value.code == Codes.VERIFICATION_REQUIRED
    assert AccessKey.objects.count() == keys_before
    log = OperationLog.objects.filter(action="access_key.create").latest("id")
    assert (log.result, log.error_code) == ("failure", Codes.VERIFICATION_REQUIRED)


def test_a_wrong_code_is_refused_and_nothing_changes(member, device):
    with time_machine.travel(T0, tick=False):
        with pytest.raises(DomainError) as refused:
            create_key(member, "000000" if _totp_at(device, T0) != 0 else "111111")
    assert refused.value.code == Codes.VERIFICATION_FAILED
    assert not AccessKey.objects.filter(description="ci").exists()


def test_a_valid_code_lets_the_operation_through_once(member, device):
    with time_machine.travel(T0, tick=False):
        code = f"{_totp_at(device, T0):06d}"
        key, _secret = create_key(member, code)
        assert key.pk
        with pytest.raises(DomainError) as replay:  # a TOTP code is used once (django-otp's last_t)
            services.delete_access_key(actor_of(member), key_id=key.pk, verification_code=code)
    assert replay.value.code == Codes.VERIFICATION_FAILED
    assert AccessKey.objects.filter(pk=key.pk).exists()


def test_after_a_failure_even_the_right_code_waits_for_the_back_off(member, device):
    with time_machine.travel(T0, tick=False) as clock:
        with pytest.raises(DomainError):
            create_key(member, "999999" if _totp_at(device, T0) != 999999 else "888888")
        with pytest.raises(DomainError) as throttled:
            create_key(member, f"{_totp_at(device, T0):06d}")
        assert throttled.value.code == Codes.VERIFICATION_THROTTLED
        clock.shift(timedelta(seconds=2))
        key, _secret = create_key(member, f"{_totp_at(device, T0):06d}")
    assert key.pk


def test_back_off_grows_with_each_failure(member, device):
    device.refresh_from_db()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            device.throttle_increment()
        allowed, info = device.verify_is_allowed()
        assert not allowed
        clock.shift(timedelta(seconds=7))
        assert not device.verify_is_allowed()[0]
        clock.shift(timedelta(seconds=2))
        assert device.verify_is_allowed()[0]


def test_changing_roles_asks_for_the_code(member, device, tenant_a):
    with pytest.raises(DomainError) as refused:
        services.set_member_roles(actor_of(member), member_id=tenant_a.member.pk, role_ids=[tenant_a.admin_role.pk],
                                  verification_code="")
    assert refused.value.code == Codes.VERIFICATION_REQUIRED
    assert list(tenant_a.member.roles.all()) == [tenant_a.role]


def test_a_member_without_a_device_is_told_to_add_one(member):
    with pytest.raises(DomainError) as refused:
        create_key(member, "123456")
    assert refused.value.code == Codes.VERIFICATION_NO_DEVICE


def test_when_off_no_code_is_asked(tenant_a):
    assert tenant_a.partner.verification_enabled is False
    key, _secret = create_key(tenant_a.admin, None)
    assert key.pk


def test_api_keys_are_not_asked(member, device):
    from partnercenter import verification
    from partnercenter.actors import actor_for_access_key

    key = AccessKey.objects.filter(partner=member.partner).first()
    verification.require(actor_for_access_key(key), None)  # does not raise


# -------------------------------------------------------------------------------------------
# E-mailed codes
# -------------------------------------------------------------------------------------------

@pytest.fixture
def email_device(member):
    return EmailCodeDevice.objects.create(user=member.user, name="mail", email="ceo@example.com", confirmed=True)


def _sent_code():
    import re

    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


def test_an_emailed_code_is_stored_hashed_and_works_once(member, email_device):
    from partnercenter import verification

    assert verification.send_email_code(actor_of(member))
    code = _sent_code()
    email_device.refresh_from_db()
    assert code not in email_device.token_hash and len(email_device.token_hash) == 64
    key, _secret = create_key(member, code)
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=5)):
        with pytest.raises(DomainError) as reused:
            services.delete_access_key(actor_of(member), key_id=key.pk, verification_code=code)
    assert reused.value.code == Codes.VERIFICATION_FAILED


@pytest.mark.parametrize("age,works", [(299, True), (301, False)])
def test_an_emailed_code_expires_after_five_minutes(member, email_device, age, works):
    with time_machine.travel(T0, tick=False) as clock:
        code = email_device.issue_code()
        clock.shift(timedelta(seconds=age))
        assert email_device.verify_token(code) is works


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_of_one_code_succeed_once(member, email_device):
    code = email_device.issue_code()
    results, barrier = [], threading.Barrier(10)

    def submit():
        try:
            device = EmailCodeDevice.objects.get(pk=email_device.pk)
            barrier.wait()
            results.append(device.verify_token(code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 9 + [True]


def test_turning_codes_on_without_a_device_says_to_add_one_first(tenant_a):
    """Not the message of a member who meets codes already on (they are off until this succeeds)."""
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.set_verification_enabled(actor_of(tenant_a.admin), enabled=True)
    assert refused.value.code == Codes.VERIFICATION_NO_DEVICE
    assert "before turning verification codes on" in str(refused.value.message)
    assert "are on for your partner" not in str(refused.value.message)
    tenant_a.partner.refresh_from_db()
    assert not tenant_a.partner.verification_enabled
