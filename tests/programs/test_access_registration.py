"""注册新账号: a verification code to the main account's e-mail or mobile, a link valid 24 hours that works
once, and the public page registering the new partner account on the path."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from partnercenter import sms
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Member, OperationLog, Partner, Role, User
from programs import registration
from programs.errors_access import AccessCodes
from programs.models import PathEnrolment, RegistrationLink

from ..conftest import actor_of, login_client
from ..factories import MemberFactory, RoleFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture(autouse=True)
def _clean_cache_and_sms(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


@pytest.fixture
def world(tenant_a, programmes):
    partner = tenant_a.partner
    partner.email = "boss@partner-a.example.com"
    partner.mobile_phone = "13800138000"
    partner.save(update_fields=["email", "mobile_phone"])
    tenant_a.actor = actor_of(tenant_a.admin)
    return tenant_a


def _mailed_code() -> str:
    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


def _link(world, path="dtcsi"):
    registration.send_code(world.actor, path_code=path, channel="email")
    return registration.create_link(world.actor, path_code=path, code=_mailed_code())


def _form(**overrides):
    data = {"company_name": "新公司有限公司", "account_name": "newco-cloud", "admin_name": "张三",
            "admin_email": "admin@newco.example.com", "username": "newco.admin", "password1": PASSWORD,
            "password2": PASSWORD}
    data.update(overrides)
    return data


# -------------------------------------------------------------------------------------------------
# The verification code
# -------------------------------------------------------------------------------------------------

def test_code_goes_to_the_main_account_email_hashed_and_the_right_one_makes_a_24_hour_link(world):
    masked = registration.send_code(world.actor, path_code="dtcsi", channel="email")

    assert masked == "b****@partner-a.example.com"
    assert mail.outbox[-1].to == ["boss@partner-a.example.com"]
    code = _mailed_code()
    assert len(code) == 8
    # the code itself is nowhere in the cache (only a keyed hash)
    stored = cache.get(registration._key(world.actor, registration.path_for("dtcsi")))
    assert code not in str(stored)

    with pytest.raises(DomainError) as wrong:
        registration.create_link(world.actor, path_code="dtcsi",
                                 code="00000000" if code != "00000000" else "11111111")
    assert wrong.value.code == AccessCodes.CODE_WRONG

    link, token = registration.create_link(world.actor, path_code="dtcsi", code=code)
    assert link.expires_at - link.created_at == timedelta(hours=24)
    assert link.token_hash == RegistrationLink.hash(token) and token not in link.token_hash
    assert link.partner == world.partner and link.path.code == "dtcsi" and link.sent_to == world.partner.email
    assert OperationLog.objects.filter(partner=world.partner, action="programs.new_account_link",
                                       result="success").count() == 1
    assert OperationLog.objects.filter(partner=world.partner, action="programs.new_account_link",
                                       result="failure").count() == 1


def test_the_mobile_channel_sends_an_sms_to_the_main_account_mobile(world):
    masked = registration.send_code(world.actor, path_code="software", channel="mobile")

    assert masked == "138****8000"
    (mobile, text), = sms.outbox
    assert mobile == "13800138000"
    code = re.search(r"\b(\d{8})\b", text).group(1)
    link, _token = registration.create_link(world.actor, path_code="software", code=code)
    assert link.path.code == "software"


def test_a_code_works_once(world):
    registration.send_code(world.actor, path_code="dtcsi", channel="email")
    code = _mailed_code()
    registration.create_link(world.actor, path_code="dtcsi", code=code)

    with pytest.raises(DomainError) as again:
        registration.create_link(world.actor, path_code="dtcsi", code=code)
    assert again.value.code == AccessCodes.CODE_EXPIRED
    assert RegistrationLink.objects.count() == 1


def test_a_code_expires_after_10_minutes(world):
    registration.send_code(world.actor, path_code="dtcsi", channel="email")
    code = _mailed_code()

    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        with pytest.raises(DomainError) as late:
            registration.create_link(world.actor, path_code="dtcsi", code=code)
    assert late.value.code == AccessCodes.CODE_EXPIRED
    assert not RegistrationLink.objects.exists()


def test_five_wrong_codes_kill_the_code(world):
    registration.send_code(world.actor, path_code="dtcsi", channel="email")
    code = _mailed_code()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    codes = []
    for _i in range(registration.CODE_MAX_ATTEMPTS):
        with pytest.raises(DomainError) as exc:
            registration.create_link(world.actor, path_code="dtcsi", code=wrong)
        codes.append(exc.value.code)

    assert codes[:-1] == [AccessCodes.CODE_WRONG] * (registration.CODE_MAX_ATTEMPTS - 1)
    assert codes[-1] == AccessCodes.CODE_THROTTLED
    with pytest.raises(DomainError) as right_too_late:
        registration.create_link(world.actor, path_code="dtcsi", code=code)
    assert right_too_late.value.code in (AccessCodes.CODE_EXPIRED, AccessCodes.CODE_THROTTLED)
    assert not RegistrationLink.objects.exists()


def test_a_new_code_at_most_once_a_minute_and_it_replaces_the_old_one(world):
    registration.send_code(world.actor, path_code="dtcsi", channel="email")
    first = _mailed_code()
    with pytest.raises(DomainError) as soon:
        registration.send_code(world.actor, path_code="dtcsi", channel="email")
    assert soon.value.code == AccessCodes.CODE_TOO_SOON

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        registration.send_code(world.actor, path_code="dtcsi", channel="email")
        second = _mailed_code()
        if first != second:
            with pytest.raises(DomainError):
                registration.create_link(world.actor, path_code="dtcsi", code=first)
        link, _token = registration.create_link(world.actor, path_code="dtcsi", code=second)
    assert link.pk


def test_no_contact_no_right_unknown_path(world, tenant_b, programmes):
    world.partner.mobile_phone = ""
    world.partner.save(update_fields=["mobile_phone"])
    with pytest.raises(DomainError) as no_mobile:
        registration.send_code(actor_of(world.admin), path_code="dtcsi", channel="mobile")
    assert no_mobile.value.code == AccessCodes.NO_CONTACT

    with pytest.raises(DomainError) as no_right:
        registration.send_code(actor_of(world.member), path_code="dtcsi", channel="email")
    assert no_right.value.code == Codes.FORBIDDEN

    with pytest.raises(DomainError) as no_path:
        registration.send_code(world.actor, path_code="nope", channel="email")
    assert no_path.value.code == Codes.NOT_FOUND


# -------------------------------------------------------------------------------------------------
# The link and the public registration page
# -------------------------------------------------------------------------------------------------

def test_the_public_page_registers_exactly_one_partner_and_the_link_is_then_used(world):
    link, token = _link(world)
    url = reverse("programs:register", args=[token])
    before = Partner.objects.count()
    visitor = Client()
    visitor.cookies["django_language"] = "en"

    assert visitor.get(url).status_code == 200
    response = visitor.post(url, _form())

    assert response.status_code == 200, response.content.decode()[:2000]
    assert Partner.objects.count() == before + 1
    new = Partner.objects.get(account_name="newco-cloud")
    assert new.partner_type == "solution_provider" and new.name == "新公司有限公司"
    assert new.domain_id != world.partner.domain_id and re.fullmatch(r"[0-9a-f]{32}", new.domain_id)
    assert new.domain_id in response.content.decode()
    role = Role.objects.get(partner=new)
    assert role.is_administrator
    member = Member.objects.get(partner=new)
    assert member.user.username == "newco.admin" and member.user.check_password(PASSWORD)
    assert list(member.roles.all()) == [role]
    enrolment = PathEnrolment.objects.get(partner=new)
    assert enrolment.path == link.path and enrolment.stage.code == "registered"
    link.refresh_from_db()
    assert link.used_at is not None and link.new_partner == new
    # logged for both partners, and the partner that asked hears of it
    assert OperationLog.objects.filter(partner=world.partner, action="programs.new_account_register",
                                       result="success").exists()
    assert OperationLog.objects.filter(partner=new, action="programs.new_account_register").exists()
    event = Event.objects.get(type="programs.account_registered")
    assert event.partner == world.partner and event.data["domain_id"] == new.domain_id

    # used: refused, nothing more is created
    again = visitor.post(url, _form(account_name="otherco-cloud", username="other.admin"))
    assert again.status_code == 410
    assert b"already used" in again.content
    assert Partner.objects.count() == before + 1
    assert visitor.get(url).status_code == 410


def test_the_link_is_refused_after_24_hours(world):
    link, token = _link(world)
    url = reverse("programs:register", args=[token])
    visitor = Client()
    visitor.cookies["django_language"] = "en"
    before = Partner.objects.count()

    with time_machine.travel(link.created_at + timedelta(hours=23, minutes=59)):
        assert visitor.get(url).status_code == 200
    with time_machine.travel(link.created_at + timedelta(hours=24, seconds=1)):
        assert visitor.get(url).status_code == 410
        response = visitor.post(url, _form())
        assert response.status_code == 410 and b"expired" in response.content
        with pytest.raises(DomainError) as late:
            registration.register_account(token=token, company_name="x", account_name="late-cloud",
                                          admin_name="x", admin_email="x@example.com", username="late.admin",
                                          password=PASSWORD)
        assert late.value.code == AccessCodes.LINK_EXPIRED

    assert Partner.objects.count() == before
    assert not User.objects.filter(username="newco.admin").exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_an_unknown_token_is_not_found_and_creates_nothing(world):
    before = Partner.objects.count()
    visitor = Client()
    url = reverse("programs:register", args=["made-up-token"])
    assert visitor.get(url).status_code == 404
    assert visitor.post(url, _form()).status_code == 404
    assert Partner.objects.count() == before


def test_a_refused_registration_leaves_the_link_usable(world):
    _link_row, token = _link(world)
    url = reverse("programs:register", args=[token])
    visitor = Client()
    visitor.cookies["django_language"] = "en"

    taken = visitor.post(url, _form(username=world.admin.user.username))
    assert taken.status_code == 200 and b"username is taken" in taken.content
    bad_name = visitor.post(url, _form(account_name="1234567"))
    assert bad_name.status_code == 200 and not Partner.objects.filter(account_name="1234567").exists()

    ok = visitor.post(url, _form())
    assert ok.status_code == 200 and Partner.objects.filter(account_name="newco-cloud").exists()


# -------------------------------------------------------------------------------------------------
# The member's pages
# -------------------------------------------------------------------------------------------------

def test_the_member_pages_send_verify_and_show_the_link_once(world, django_capture_on_commit_callbacks):
    client = login_client(world.admin.user)
    client.cookies["django_language"] = "en"
    url = reverse("programs:new_account", kwargs={"code": "dtcsi"})

    page = client.get(url)
    assert page.status_code == 200
    assert "b****@partner-a.example.com" in page.content.decode()
    assert "boss@partner-a.example.com" not in page.content.decode()

    sent = client.post(url, {"action": "send", "channel": "email"})
    assert sent.status_code == 302
    code = _mailed_code()
    with django_capture_on_commit_callbacks(execute=True):
        shown = client.post(url, {"action": "verify", "code": code})
    assert shown.status_code == 200
    token = re.search(r"/programs/register/([^/\"]+)/", shown.content.decode()).group(1)
    assert RegistrationLink.objects.get().token_hash == RegistrationLink.hash(token)
    assert shown["Cache-Control"] == "no-store"
    # the link was mailed to the main account's e-mail
    assert mail.outbox[-1].to == ["boss@partner-a.example.com"] and token in mail.outbox[-1].body
    # never shown again
    listing = client.get(url)
    assert token not in listing.content.decode() and 'data-link="' in listing.content.decode()


def test_the_pages_need_programs_manage_and_a_known_path(world):
    viewer_role = RoleFactory(partner=world.partner, name="viewer", permissions=["programs.view"])
    viewer = MemberFactory(partner=world.partner, user__username="a.viewer", roles=[viewer_role])
    assert login_client(viewer.user).get(reverse("programs:new_account", kwargs={"code": "dtcsi"})).status_code == 403
    admin = login_client(world.admin.user)
    assert admin.get(reverse("programs:new_account", kwargs={"code": "nope"})).status_code == 404
