"""The public join page against abuse: the SMS code is checked before anything says whether an account name,
e-mail or mobile is in use (and such refusals are tries on the code); every register POST spends the address's
budget; codes are capped per mobile number and per link; an over-long e-mail is a parameter error before
anything is written (pc_user.email is varchar(254)); create_customer (the partner API) keeps its order."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from customers import registration
from customers.errors import CustomerCodes
from customers.forms import RegisterCustomerForm
from customers.models import Customer, RegistrationCode
from expansion import invitations
from expansion.errors_invitations import InvitationCodes
from expansion.forms_invitations import JoinForm
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog, User

from ..conftest import actor_of
from . import invitations_fixtures
from .invitations_fixtures import MOBILE, PASSWORD, give_code, join_data, make_link

inv_tenant, sms_outbox = invitations_fixtures.inv_tenant, invitations_fixtures.sms_outbox
clean_throttles = invitations_fixtures.clean_throttles  # autouse: the page's budgets start empty

pytestmark = pytest.mark.django_db

OTHER = "13800138000"


def join(link, *, name="acme-cloud", mobile=MOBILE, code="12345678", email="", ip="198.51.100.7"):
    return invitations.register_through_link(token=link.token, domain_name=name, password=PASSWORD,
                                             mobile_phone=mobile, verification_code=code, email=email, ip=ip)


def refusal(**kwargs):
    with pytest.raises(DomainError) as refused:
        join(**kwargs)
    return refused.value


def live_code(mobile=MOBILE):
    return RegistrationCode.objects.filter(mobile_phone=mobile).order_by("-created_at").first()


def existing_customer(inv_tenant, *, name="taken-name", mobile=OTHER, email="boss@acme.example"):
    """An account registered through a link (name, mobile and e-mail then in use)."""
    link = make_link(inv_tenant.partner)
    give_code(mobile)
    return join(link, name=name, mobile=mobile, email=email)


def long_email(length: int) -> str:
    domain = ".".join(["d" * 60] * 3) + ".com"  # 187 characters, labels under 64
    return "u" * (length - len(domain) - 1) + "@" + domain


# ---------------------------------------------------------------------------------------------
# 1. The code first, then the rules that reveal whether something exists
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["name", "email", "mobile"])
def test_without_a_valid_code_nothing_says_what_exists(inv_tenant, case, monkeypatch):
    existing_customer(inv_tenant)
    customers = Customer.objects.count()
    link = make_link(inv_tenant.partner)
    kwargs = {"name": {"name": "taken-name"}, "email": {"email": "BOSS@acme.example"}, "mobile": {"mobile": OTHER}}[case]
    if case == "mobile":
        monkeypatch.setattr(registration, "ACCOUNTS_PER_MOBILE", 1)
    mobile = kwargs.get("mobile", MOBILE)
    # no live code, then a wrong one: the code's refusal, never "in use" / "exhausted"
    assert refusal(link=link, **kwargs).code == CustomerCodes.CODE_INVALID
    give_code(mobile)
    assert refusal(link=link, code="00000000", **kwargs).code == CustomerCodes.CODE_INVALID
    # with the right code, the visitor (who holds the mobile) learns it; the code is not used up
    expected = {"name": CustomerCodes.NAME_IN_USE, "email": CustomerCodes.EMAIL_IN_USE,
                "mobile": CustomerCodes.MOBILE_EXHAUSTED}[case]
    assert refusal(link=link, **kwargs).code == expected
    code = live_code(mobile)
    assert code.used_at is None and code.attempts == 2  # the wrong try and the refusal
    assert Customer.objects.count() == customers


def test_the_same_code_registers_once_the_name_is_changed(inv_tenant):
    existing_customer(inv_tenant)
    link = make_link(inv_tenant.partner)
    give_code()
    assert refusal(link=link, name="taken-name").code == CustomerCodes.NAME_IN_USE
    customer = join(link, name="fresh-name")
    assert customer.domain_name == "fresh-name"
    assert live_code().used_at is not None
    with pytest.raises(DomainError) as again:  # used once
        join(link, name="other-name")
    assert again.value.code == CustomerCodes.CODE_INVALID


def test_one_code_cannot_probe_names_at_will(inv_tenant):
    for n in range(5):
        existing_customer(inv_tenant, name=f"taken-{n}-x", mobile=f"1370000000{n}", email="")
    link = make_link(inv_tenant.partner)
    give_code()
    for n in range(5):
        assert refusal(link=link, name=f"taken-{n}-x").code == CustomerCodes.NAME_IN_USE
    # five refusals ended the code: the sixth probe learns nothing, and the code no longer registers
    assert refusal(link=link, name="taken-0-x").code == CustomerCodes.CODE_INVALID
    assert refusal(link=link, name="fresh-name").code == CustomerCodes.CODE_INVALID


def test_syntax_rules_still_come_first_and_spend_no_try(inv_tenant):
    link = make_link(inv_tenant.partner)
    give_code()
    assert refusal(link=link, name="1bad").code == Codes.PARAMETER
    with pytest.raises(DomainError):
        invitations.register_through_link(token=link.token, domain_name="acme-cloud", password="password",
                                          mobile_phone=MOBILE, verification_code="12345678")
    assert live_code().attempts == 0


def test_the_partner_api_keeps_its_order(inv_tenant):
    """create_customer (a partner, who may call 校验客户注册信息 anyway) still says "name in use" first."""
    existing_customer(inv_tenant)
    with pytest.raises(DomainError) as refused:
        registration.create_customer(actor_of(inv_tenant.admin), xaccount_id="x-1", xaccount_type="shop",
                                     domain_name="taken-name", mobile_phone=MOBILE, verification_code="00000000")
    assert refused.value.code == CustomerCodes.NAME_IN_USE


def test_the_join_page_does_not_reveal_a_taken_name(inv_tenant):
    existing_customer(inv_tenant)
    link = make_link(inv_tenant.partner)
    give_code()
    body = Client().post(reverse("expansion:join", args=[link.token]),
                         join_data(name="taken-name", code="00000000")).content.decode()
    assert 'class="form-errors"' in body
    assert str(DomainError(CustomerCodes.NAME_IN_USE).message) not in body
    assert str(DomainError(CustomerCodes.CODE_INVALID).message) in body


def test_every_register_post_spends_the_address_budget(inv_tenant, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "cbc.identity": "3/hour"}}
    link = make_link(inv_tenant.partner)
    url = reverse("expansion:join", args=[link.token])
    visitor = Client(REMOTE_ADDR="198.51.100.23")
    throttled = str(DomainError(InvitationCodes.JOIN_THROTTLED).message)
    # an invalid form (bad code format) and wrong codes count alike
    assert throttled not in visitor.post(url, join_data(code="12")).content.decode()
    give_code()
    for _i in range(2):
        assert throttled not in visitor.post(url, join_data(code="00000000")).content.decode()
    body = visitor.post(url, join_data(code="12345678")).content.decode()  # the right code, too late
    assert throttled in body
    assert not Customer.objects.filter(domain_name="acme-cloud").exists() and live_code().used_at is None
    # another address is not affected; the service spends the same budget
    assert Client(REMOTE_ADDR="198.51.100.24").post(url, join_data()).status_code == 200
    assert Customer.objects.filter(domain_name="acme-cloud").exists()
    with pytest.raises(DomainError) as refused:
        join(link, name="next-cloud", ip="198.51.100.23")
    assert refused.value.code == InvitationCodes.JOIN_THROTTLED


# ---------------------------------------------------------------------------------------------
# 2. An e-mail longer than pc_user.email
# ---------------------------------------------------------------------------------------------

def test_an_over_long_email_is_a_parameter_error_before_anything_is_written(inv_tenant):
    link = make_link(inv_tenant.partner)
    give_code()
    for length in (255, 256):
        email = long_email(length)
        assert len(email) == length
        error = refusal(link=link, email=email)
        assert error.code == Codes.PARAMETER and "254" in str(error.message)
    assert live_code().used_at is None and live_code().attempts == 0
    assert not Customer.objects.filter(domain_name="acme-cloud").exists()
    assert not User.objects.filter(username="acme-cloud").exists()
    assert not OperationLog.objects.filter(action="expansion.join").exists()
    customer = join(link, email=long_email(254))
    assert customer.email == long_email(254) and User.objects.get(username="acme-cloud").email == long_email(254)


def test_the_partner_api_refuses_an_over_long_email_too(inv_tenant):
    give_code()
    with pytest.raises(DomainError) as refused:
        registration.create_customer(actor_of(inv_tenant.admin), xaccount_id="x-2", xaccount_type="shop",
                                     domain_name="long-mail", mobile_phone=MOBILE, verification_code="12345678",
                                     email=long_email(255))
    assert refused.value.code == Codes.PARAMETER
    assert live_code().used_at is None


def test_the_forms_stop_at_254():
    assert "email" in JoinForm(join_data(email=long_email(255)) | {"code": "12345678"}).errors
    assert "email" not in JoinForm(join_data(email=long_email(254)) | {"code": "12345678"}).errors
    assert "email" in RegisterCustomerForm({"email": long_email(255), "xaccount_id": "a", "xaccount_type": "b"}).errors
    assert "email" not in RegisterCustomerForm({"email": long_email(254), "xaccount_id": "a",
                                                "xaccount_type": "b"}).errors


# ---------------------------------------------------------------------------------------------
# 3. SMS codes: per mobile number and per link
# ---------------------------------------------------------------------------------------------

def send(link, mobile=MOBILE, ip=None):
    invitations.send_join_code(token=link.token, mobile_phone=mobile, ip=ip or "198.51.100.40")


def test_a_mobile_number_gets_five_codes_an_hour_and_ten_a_day(inv_tenant, sms_outbox,
                                                               django_capture_on_commit_callbacks):
    link = make_link(inv_tenant.partner)
    start = dt.datetime(2026, 6, 1, 9, 0, 30, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False) as clock, django_capture_on_commit_callbacks(execute=True):
        for n in range(5):  # a minute apart (customers' resend rule), from five different addresses
            send(link, ip=f"198.51.100.{50 + n}")
            clock.shift(dt.timedelta(seconds=61))
        with pytest.raises(DomainError) as hour, translation.override("en"):
            send(link, ip="198.51.100.99")
        assert hour.value.code == InvitationCodes.CODES_PER_MOBILE and "hour" in str(hour.value.message)
        assert RegistrationCode.objects.filter(mobile_phone=MOBILE).count() == 5
        send(link, mobile=OTHER)  # another number is not affected
        clock.move_to(start + dt.timedelta(hours=1))
        for n in range(5):
            send(link)
            clock.shift(dt.timedelta(seconds=61))
        with pytest.raises(DomainError) as day, translation.override("en"):
            clock.move_to(start + dt.timedelta(hours=2))
            send(link)
        assert day.value.code == InvitationCodes.CODES_PER_MOBILE and "tomorrow" in str(day.value.message)
    assert len([to for to, _text in sms_outbox if to == MOBILE]) == 10


def test_a_code_refused_for_the_resend_minute_spends_no_mobile_budget(inv_tenant, sms_outbox,
                                                                        django_capture_on_commit_callbacks):
    link = make_link(inv_tenant.partner)
    with time_machine.travel(timezone.now(), tick=False) as clock, django_capture_on_commit_callbacks(execute=True):
        send(link)
        for _i in range(8):  # hammering within the minute
            with pytest.raises(DomainError) as refused:
                send(link)
            assert refused.value.code == CustomerCodes.CODE_TOO_FREQUENT
        for _i in range(4):
            clock.shift(dt.timedelta(seconds=61))
            send(link)
    assert len(sms_outbox) == 5


def test_a_link_has_a_daily_code_budget(inv_tenant, sms_outbox, settings, django_capture_on_commit_callbacks):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "expansion.join_code.link_day": "3/day"}}
    link, other = make_link(inv_tenant.partner), make_link(inv_tenant.partner)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            send(link, mobile=f"1370000001{n}")
        with pytest.raises(DomainError) as refused:
            send(link, mobile="13700000019")
        assert refused.value.code == InvitationCodes.CODES_PER_LINK
        send(other, mobile="13700000019")
    assert len(sms_outbox) == 4
    assert invitations.JOIN_RATES["expansion.join_code.link_day"] == "200/day"


def test_the_page_says_why_no_code_was_sent(inv_tenant, sms_outbox):
    link = make_link(inv_tenant.partner)
    url = reverse("expansion:join", args=[link.token])
    # one minute into an hour: the budgets are fixed hourly windows, and the six sends span five minutes
    start = timezone.now().replace(minute=1, second=0, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        for _i in range(5):
            Client().post(url, {"action": "send", "mobile_phone": MOBILE})
            clock.shift(dt.timedelta(seconds=61))
        body = Client().post(url, {"action": "send", "mobile_phone": MOBILE}).content.decode()
    assert "Try again in an hour" in body or "一小时" in body
    assert RegistrationCode.objects.filter(mobile_phone=MOBILE).count() == 5
