"""签署协议: which agreements a partner must sign, the banner, signing (who/when/IP/UA, oplog, code, idempotent),
and who may open and sign."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from events.models import Event
from partnercenter.actors import actor_for_user
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.models import OperationLog
from programs import agreements
from programs.catalogue import DISTRIBUTOR, RESELLER, SOLUTION_PROVIDER
from programs.choices import MembershipStatus
from programs.models import Agreement, AgreementSignature, Membership, Program
from tests.conftest import actor_of, login_client
from tests.factories import RoleFactory

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=CHINA)
NEW_ENTITY = "华为云计算技术（香港）有限公司"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chromium/126"


def zh(message) -> str:
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(str(message)))


def agreement(code=SOLUTION_PROVIDER, *, version="2026.1", entity=NEW_ENTITY, day=(2026, 4, 1), published=True):
    return Agreement.objects.create(
        program=Program.objects.get(code=code), title="华为云解决方案提供商合作协议", version=version,
        body="第一条 …\n第二条 …", contracting_entity=entity,
        effective_at=datetime(*day, tzinfo=CHINA), published_at=NOW if published else None)


def hidden_fields(response, form_id="confirm-form") -> dict:
    body = response.content.decode()
    form = re.search(rf'<form method="post" id="{form_id}">(.*?)</form>', body, re.S).group(1)
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def sign_in_browser(client, pk, **extra):
    """Tick 我已阅读并同意本协议, then confirm: the response of the confirmation."""
    url = f"/programs/agreements/{pk}/"
    confirm = client.post(url, {"accepted": "on"}, HTTP_USER_AGENT=UA)
    assert 'id="confirm-form"' in confirm.content.decode()
    return client.post(url, {**hidden_fields(confirm), **extra}, HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.7")


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# -------------------------------------------------------------------------------------------
# Which agreements a partner must sign
# -------------------------------------------------------------------------------------------

def test_a_partner_signs_its_programmes_published_agreements(tenant_a, programmes, travel):
    ours = agreement()
    agreement(version="draft", published=False)
    agreement(RESELLER, version="r1")
    assert list(agreements.required_agreements(tenant_a.partner)) == [ours]  # by its type: no membership yet

    # in the distributor programme (joined offline): its agreements, no longer the solution-provider ones
    Membership.objects.create(partner=tenant_a.partner, program=Program.objects.get(code=DISTRIBUTOR),
                              status=MembershipStatus.JOINED)
    distributor = agreement(DISTRIBUTOR, version="d1")
    assert list(agreements.required_agreements(tenant_a.partner)) == [distributor]
    # applying counts as in; a rejected application does not
    Membership.objects.create(partner=tenant_a.partner, program=Program.objects.get(code=SOLUTION_PROVIDER),
                              status=MembershipStatus.APPLYING)
    assert set(agreements.required_agreements(tenant_a.partner)) == {ours, distributor}
    Membership.objects.filter(partner=tenant_a.partner).update(status=MembershipStatus.REJECTED)
    assert list(agreements.required_agreements(tenant_a.partner)) == [ours]


def test_an_agreement_the_partner_need_not_sign_is_not_found(tenant_a, tenant_b, programmes, travel, admin_client_a):
    theirs = agreement(RESELLER, version="r1")
    draft = agreement(version="draft", published=False)
    for pk in (theirs.pk, draft.pk, 999999):
        assert admin_client_a.get(f"/programs/agreements/{pk}/").status_code == 404
        assert admin_client_a.post(f"/programs/agreements/{pk}/", {"accepted": "on"}).status_code == 404
        with pytest.raises(DomainError) as refused:
            agreements.sign(actor_of(tenant_a.admin), agreement_id=pk, accepted=True)
        assert refused.value.code == Codes.NOT_FOUND
    # tenant B is in the distributor programme: tenant A's solution-provider agreement is not its business
    ours = agreement()
    Membership.objects.create(partner=tenant_b.partner, program=Program.objects.get(code=DISTRIBUTOR),
                              status=MembershipStatus.JOINED)
    assert login_client(tenant_b.admin.user).get(f"/programs/agreements/{ours.pk}/").status_code == 404
    assert admin_client_a.get(f"/programs/agreements/{ours.pk}/").status_code == 200
    assert not AgreementSignature.objects.exists()


# -------------------------------------------------------------------------------------------
# Signing
# -------------------------------------------------------------------------------------------

def test_signing_records_who_when_where_and_the_operation_log(tenant_a, programmes, travel, admin_client_a):
    doc = agreement()
    page = admin_client_a.get(f"/programs/agreements/{doc.pk}/").content.decode()
    assert "第一条" in page and 'name="accepted"' in page

    # not ticked: refused on the form, nothing signed
    unticked = admin_client_a.post(f"/programs/agreements/{doc.pk}/", {})
    assert unticked.status_code == 200 and 'id="confirm-form"' not in unticked.content.decode()
    assert not AgreementSignature.objects.exists()

    done = sign_in_browser(admin_client_a, doc.pk)
    assert done.status_code == 302
    signature = AgreementSignature.objects.get()
    assert signature.partner == tenant_a.partner and signature.signed_by == tenant_a.admin.user
    assert signature.signer_name == tenant_a.admin.display_name
    assert signature.signed_at == NOW and signature.ip_address == "203.0.113.7" and signature.user_agent == UA
    assert signature.applied_at is None  # takes effect on 2026-04-01
    log = OperationLog.objects.get(action="programs.agreement_sign")
    assert (log.partner, log.actor_user, log.result, log.ip) == (tenant_a.partner, tenant_a.admin.user, "success",
                                                                  "203.0.113.7")
    assert log.target_id == str(doc.pk)
    assert Event.objects.filter(type="agreement.signed", partner=tenant_a.partner).count() == 1
    shown = admin_client_a.get(f"/programs/agreements/{doc.pk}/").content.decode()
    assert 'id="signature"' in shown and "203.0.113.7" in shown and 'name="accepted"' not in shown
    listed = admin_client_a.get("/programs/agreements/").content.decode()
    assert tenant_a.admin.display_name in listed and "2026-03-10 09:00:00" in listed


def test_signing_twice_keeps_one_signature(tenant_a, programmes, travel, admin_client_a):
    doc = agreement()
    url = f"/programs/agreements/{doc.pk}/"
    confirm = admin_client_a.post(url, {"accepted": "on"})
    fields = hidden_fields(confirm)
    assert admin_client_a.post(url, fields).status_code == 302
    again = admin_client_a.post(url, fields)                       # the same confirmation resubmitted
    assert again.status_code == 302
    assert admin_client_a.post(url, {"accepted": "on"}).status_code == 302   # a fresh attempt
    first = AgreementSignature.objects.get()
    assert agreements.sign(actor_of(tenant_a.admin), agreement_id=doc.pk, accepted=True) == first  # the service too
    assert AgreementSignature.objects.count() == 1
    assert OperationLog.objects.filter(action="programs.agreement_sign").count() == 1
    assert Event.objects.filter(type="agreement.signed").count() == 1


def test_a_member_without_programs_manage_cannot_sign(tenant_a, programmes, travel):
    doc = agreement()
    tenant_a.member.roles.set([RoleFactory(partner=tenant_a.partner, permissions=["programs.view"])])
    client = login_client(tenant_a.member.user)
    page = client.get(f"/programs/agreements/{doc.pk}/")
    assert page.status_code == 200 and 'name="accepted"' not in page.content.decode()
    assert client.post(f"/programs/agreements/{doc.pk}/", {"accepted": "on"}).status_code == 403
    with pytest.raises(DomainError) as refused:
        agreements.sign(actor_of(tenant_a.member), agreement_id=doc.pk, accepted=True)
    assert refused.value.code == Codes.FORBIDDEN
    assert not AgreementSignature.objects.exists()


def test_signing_asks_for_the_verification_code_when_on(tenant_a, programmes, travel, admin_client_a):
    doc = agreement()
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    url = f"/programs/agreements/{doc.pk}/"
    confirm = admin_client_a.post(url, {"accepted": "on"})
    assert 'name="verification_code"' in confirm.content.decode()
    fields = hidden_fields(confirm)
    refused = admin_client_a.post(url, fields)
    assert refused.status_code == 200 and zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert not AgreementSignature.objects.exists()
    assert OperationLog.objects.get(action="programs.agreement_sign").result == "failure"

    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    assert admin_client_a.post(url, {**fields, "verification_code": code}).status_code == 302
    assert AgreementSignature.objects.filter(partner=tenant_a.partner).count() == 1


# -------------------------------------------------------------------------------------------
# The banner
# -------------------------------------------------------------------------------------------

def banner_texts(client) -> list[str]:
    body = client.get("/").content.decode()
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r'<p class="banner[^"]*"[^>]*>(.*?)</p>', body, re.S)]


def test_the_banner_until_signed_and_the_new_entity_after(tenant_a, tenant_b, programmes, travel, admin_client_a):
    admin_client_a.cookies["django_language"] = "en"
    assert banner_texts(admin_client_a) == []
    doc = agreement()
    agreement(version="plain", entity="")  # changes no entity: no banner
    [unsigned] = banner_texts(admin_client_a)
    assert unsigned.startswith(f"You have a new agreement to sign: {doc.title}. Once you sign it, from 2026-04-01 "
                               f"00:00:00 your contracting entity with Huawei will be {NEW_ENTITY}.")
    [invitation] = banner_texts(login_client(tenant_a.admin.user))   # zh-hans
    assert invitation.startswith(f"您有新的协议待签署：《{doc.title}》。签署后，从2026年04月01日00:00:00起，您与华为的签约主体"
                                 f"将变更为{NEW_ENTITY}。")
    assert unsigned.startswith(f"You have a new agreement to sign: {doc.title}.")
    assert "2026-04-01 00:00:00" in unsigned and NEW_ENTITY in unsigned and "Read and sign" in unsigned
    assert f'href="/programs/agreements/{doc.pk}/"' in admin_client_a.get("/").content.decode()

    sign_in_browser(admin_client_a, doc.pk)
    assert banner_texts(admin_client_a) == [
        f"Dear user, from 2026-04-01 00:00:00 your contracting entity with Huawei will be {NEW_ENTITY}."]
    # zh-hans, the default: the documented sentence "尊敬的用户，从XXXX年XX月XX日00:00:00起，您与华为的签约主体…"
    zh_client = login_client(tenant_a.admin.user)
    [shown] = banner_texts(zh_client)
    assert shown.startswith("尊敬的用户，从2026年04月01日00:00:00起，您与华为的签约主体")
    assert shown == f"尊敬的用户，从2026年04月01日00:00:00起，您与华为的签约主体将变更为{NEW_ENTITY}。"

    # tenant B (a solution provider too) still has to sign it; at the effective time the notice ends for A
    assert len(banner_texts(login_client(tenant_b.admin.user))) == 1
    travel.move_to(datetime(2026, 4, 1, 0, 0, tzinfo=CHINA))
    assert banner_texts(admin_client_a) == []


def test_the_banner_costs_one_query_and_is_only_for_members(tenant_a, programmes, travel):
    agreement()
    request = RequestFactory().get("/")
    request.actor = actor_for_user(tenant_a.member.user)  # a member without programs.view: no link
    with CaptureQueriesContext(connection) as queries:
        [banner] = agreements.banners(request)
    assert len(queries) == 1 and banner.url == ""
    request.actor = actor_for_user(tenant_a.admin.user)
    with CaptureQueriesContext(connection) as queries:
        agreements.banners(request)
    assert len(queries) == 1
    request.actor = actor_for_user(None)
    assert agreements.banners(request) == []


# -------------------------------------------------------------------------------------------
# Operators: writing and publishing in the admin
# -------------------------------------------------------------------------------------------

def test_operators_publish_in_the_admin_and_a_published_text_is_read_only(tenant_a, programmes, travel):
    from tests.factories import UserFactory

    operator = login_client(UserFactory(username="agreements.ops", is_staff=True, is_superuser=True))
    program = Program.objects.get(code=SOLUTION_PROVIDER)
    created = operator.post("/admin/programs/agreement/add/", {
        "program": program.pk, "title": "签约主体变更协议", "version": "2026.2", "body": "正文",
        "contracting_entity": NEW_ENTITY, "effective_on": "2026-05-01",
        "signatures-TOTAL_FORMS": "0", "signatures-INITIAL_FORMS": "0"})
    assert created.status_code == 302, created.content.decode()[:2000]
    doc = Agreement.objects.get(version="2026.2")
    assert doc.effective_at == datetime(2026, 5, 1, tzinfo=CHINA) and doc.published_at is None
    assert agreements.required_agreements(tenant_a.partner).count() == 0     # not published: nobody signs it
    assert admin_client_for(tenant_a).get(f"/programs/agreements/{doc.pk}/").status_code == 404

    operator.post("/admin/programs/agreement/", {"action": "publish", "_selected_action": [doc.pk]})
    doc.refresh_from_db()
    assert doc.published_at == NOW
    assert OperationLog.objects.get(action="programs.agreement_publish").result == "success"
    assert list(agreements.required_agreements(tenant_a.partner)) == [doc]
    change = operator.get(f"/admin/programs/agreement/{doc.pk}/change/").content.decode()
    assert 'name="body"' not in change and "正文" in change
    operator.post("/admin/programs/agreement/", {"action": "publish", "_selected_action": [doc.pk]})
    assert Agreement.objects.get(pk=doc.pk).published_at == NOW                 # published once
    with pytest.raises(DomainError) as refused:
        agreements.publish(actor_of(tenant_a.admin), agreement_id=doc.pk)       # not an operator
    assert refused.value.code == Codes.FORBIDDEN


def test_a_published_agreements_effective_date_cannot_be_changed_in_the_admin(tenant_a, programmes, travel):
    from django.contrib.admin.sites import site
    from django.core.exceptions import PermissionDenied

    from programs.admin_agreements import AgreementForm
    from tests.factories import UserFactory

    user = UserFactory(username="agreements.ops", is_staff=True, is_superuser=True)
    operator = login_client(user)
    doc = agreement()                                    # published, effective 2026-04-01
    url = f"/admin/programs/agreement/{doc.pk}/change/"
    posted = {"program": doc.program_id, "title": doc.title, "version": doc.version, "body": doc.body,
              "contracting_entity": doc.contracting_entity, "effective_on": "2026-03-11",
              "signatures-TOTAL_FORMS": "0", "signatures-INITIAL_FORMS": "0"}
    page = operator.get(url).content.decode()
    assert 'name="effective_on"' not in page and 'name="_save"' not in page
    assert operator.post(url, posted).status_code == 403
    assert Agreement.objects.get(pk=doc.pk).effective_at == datetime(2026, 4, 1, tzinfo=CHINA)
    # the form itself has no such field and refuses to save a published agreement
    form = AgreementForm(posted, instance=doc)
    assert "effective_on" not in form.fields
    with pytest.raises(PermissionDenied):
        form.is_valid() and form.save()
    # published while the operator had the (still editable) page open: the save is refused
    draft = agreement(version="draft", published=False)
    stale = Agreement.objects.get(pk=draft.pk)
    agreements.publish(actor_of(user), agreement_id=draft.pk)
    request = RequestFactory().post("/")
    request.user = user
    with pytest.raises(PermissionDenied):
        site._registry[Agreement].save_model(request, stale, None, change=True)
    assert Agreement.objects.get(pk=draft.pk).published_at == NOW


def admin_client_for(tenant):
    return login_client(tenant.admin.user)


def test_the_list_shows_signed_and_unsigned_and_an_empty_state(tenant_a, programmes, travel, admin_client_a):
    admin_client_a.cookies["django_language"] = "en"
    assert "There is no agreement for you to sign." in admin_client_a.get("/programs/agreements/").content.decode()
    first, second = agreement(version="1"), agreement(version="2", entity="")
    agreements.sign(actor_of(tenant_a.admin), agreement_id=second.pk, accepted=True)
    body = admin_client_a.get("/programs/agreements/").content.decode()
    rows = dict(re.findall(r'<tr data-agreement="(\d+)">(.*?)</tr>', body, re.S))
    assert "to sign" in rows[str(first.pk)] and "Read and sign" in rows[str(first.pk)]
    assert "signed" in rows[str(second.pk)] and tenant_a.admin.display_name in rows[str(second.pk)]
