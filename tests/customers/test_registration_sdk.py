"""Registering customers through the official SDK: check identity → send code → create → listed."""

import re

import pytest
from huaweicloudsdkbss.v2 import (
    CheckSubcustomerUserReq, CheckUserIdentityRequest, CreateCustomerV2Req, CreateSubCustomerRequest,
    ListSubCustomersRequest, QuerySubCustomerListReq, SendVerificationCodeV2Req, SendVerificationMessageCodeRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from customers.models import Association, AssociationEvent, Customer, CustomerUser
from partnercenter import sms

from ..conftest import build_tenant
from ..factories import PartnerFactory
from ..signed import bss_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def distributor(db):
    t = build_tenant("reg", partner_type="distributor")
    t.reseller = PartnerFactory(partner_type="reseller", distributor=t.partner, account_name="reg-reseller")
    return t


@pytest.fixture
def client(live_server, distributor):
    return bss_client(live_server.url, ak=distributor.key.ak, sk=distributor.secret,
                      domain_id=distributor.partner.domain_id)


def _code(outbox, mobile):
    to, text = outbox[-1]
    assert to == mobile
    return re.search(r"\b(\d{8})\b", text).group(1)


def test_register_with_a_mobile_number_and_find_the_customer(client, distributor, sms_outbox):
    check = client.check_user_identity(CheckUserIdentityRequest(
        body=CheckSubcustomerUserReq(search_type="mobile", search_value="0086-13912345678")))
    name_check = client.check_user_identity(CheckUserIdentityRequest(
        body=CheckSubcustomerUserReq(search_type="name", search_value="acme-cloud")))
    client.send_verification_message_code(SendVerificationMessageCodeRequest(
        body=SendVerificationCodeV2Req(receiver_type=1, mobile_phone="13912345678", timeout=10, lang="zh-cn")))
    created = client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(
        domain_name="acme-cloud", mobile_phone="13912345678", verification_code=_code(sms_outbox, "13912345678"),
        xaccount_id="acme-001", xaccount_type="demo_platform", password="Cloud#2026pass")))
    listed = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(customer_id=created.domain_id)))

    assert (check.check_result, check.mobile_remain_available_num, name_check.check_result) == ("available", 5, "available")
    assert created.domain_name == "acme-cloud" and len(created.domain_id) == 32
    assert [(c.account_name, c.association_type, c.xaccount_id) for c in listed.customer_infos] == [
        ("acme-cloud", "2", "acme-001")
    ]
    customer = Customer.objects.get(domain_id=created.domain_id)
    assert CustomerUser.objects.get(customer=customer).user.check_password("Cloud#2026pass")
    assert AssociationEvent.objects.get(customer=customer).kind == "associate"
    taken = client.check_user_identity(CheckUserIdentityRequest(
        body=CheckSubcustomerUserReq(search_type="name", search_value="acme-cloud")))
    assert taken.check_result == "used_by_user"


def test_register_for_a_cloud_reseller_and_as_referral(client, distributor):
    created = client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(
        xaccount_id="acme-002", xaccount_type="demo_platform", indirect_partner_id=distributor.reseller.domain_id,
        cooperation_type="1")))
    own = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(customer_id=created.domain_id)))
    of_reseller = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(
        indirect_partner_id=distributor.reseller.domain_id)))

    assert len(created.domain_name) == 32  # generated
    assert own.count == 0
    assert [(c.customer_id, c.association_type) for c in of_reseller.customer_infos] == [(created.domain_id, "1")]
    assert Association.objects.get(customer__domain_id=created.domain_id).partner == distributor.reseller


def _refused(client, **fields):
    body = {"xaccount_id": "x-1", "xaccount_type": "demo_platform", **fields}
    before = (Customer.objects.count(), Association.objects.count())
    with pytest.raises(ClientRequestException) as refused:
        client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(**body)))
    assert (Customer.objects.count(), Association.objects.count()) == before
    return refused.value.error_code


@pytest.mark.parametrize("fields", [
    {"domain_name": "abcd"},                      # too short
    {"domain_name": "a" * 33},                    # too long
    {"domain_name": "1abcdef"},                   # starts with a digit
    {"domain_name": "op_account"},                # reserved prefix
    {"domain_name": "shadow_acct"},
    {"domain_name": "has space1"},
    {"domain_name": "good-name", "password": "alllowercase"},      # one character class
    {"domain_name": "good-name", "password": "eman-doog"},         # the name reversed
    {"domain_name": "good-name", "mobile_phone": "12345"},         # not a mainland mobile
    {"xaccount_id": ""},
])
def test_each_invalid_field_is_cbc_0100_and_creates_nothing(client, fields):
    assert _refused(client, **fields) == "CBC.0100"


def test_mobile_without_or_with_a_wrong_code_is_refused(client, sms_outbox):
    assert _refused(client, domain_name="mobile-user", mobile_phone="13900000001") == "CBC.99000054"
    client.send_verification_message_code(SendVerificationMessageCodeRequest(
        body=SendVerificationCodeV2Req(receiver_type=1, mobile_phone="13900000001")))
    wrong = "00000000" if _code(sms_outbox, "13900000001") != "00000000" else "11111111"
    assert _refused(client, domain_name="mobile-user", mobile_phone="13900000001", verification_code=wrong) == "CBC.99000054"


def test_a_second_code_within_a_minute_is_refused(client):
    body = SendVerificationCodeV2Req(receiver_type=1, mobile_phone="13900000002")
    client.send_verification_message_code(SendVerificationMessageCodeRequest(body=body))
    with pytest.raises(ClientRequestException) as refused:
        client.send_verification_message_code(SendVerificationMessageCodeRequest(body=body))
    assert refused.value.error_code == "CBC.99000055"


def test_a_duplicate_platform_account_is_refused_with_the_existing_id(client):
    first = client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(
        xaccount_id="dup-1", xaccount_type="demo_platform", domain_name="first-one")))
    assert _refused(client, xaccount_id="dup-1", domain_name="second-one") == "CBC.99000050"
    assert not Customer.objects.filter(domain_name="second-one").exists()
    assert first.domain_id


def test_a_taken_name_is_refused(client):
    client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(
        xaccount_id="n-1", xaccount_type="demo_platform", domain_name="taken-name")))
    assert _refused(client, xaccount_id="n-2", domain_name="taken-name") == "CBC.99000051"


def test_an_unknown_reseller_is_not_found(client):
    assert _refused(client, indirect_partner_id="f" * 32) == "CBC.0156"
