"""Partner discounts (伙伴设置折扣): the service's rules (resale customers only, service types that allow it,
within the ceiling), rights and scope, the verification code, the operation log, the pages (list with
filters, set in two steps, remove), and another partner's discounts and customers never found."""

import html
import re
from decimal import Decimal

import pytest
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.choices import PeriodType
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.models import OperationLog
from trade import discounts, pricing
from trade.errors import TradeCodes
from trade.models import PartnerDiscount

from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, MemberFactory, RoleFactory
from .pricing_helpers import pricing_catalogue

pytestmark = pytest.mark.django_db

D = Decimal
URL, SET = "/trade/discounts/", "/trade/discounts/set/"


@pytest.fixture
def cat(db):
    return pricing_catalogue()


def zh(message) -> str:
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(str(message)))


def label(rate) -> str:
    with translation.override("zh-hans"):
        return html.escape(discounts.rate_label(D(rate)))


def code_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def set_as(member, customer, service_type="hws.service.type.ec2", rate="0.90", **kwargs):
    return discounts.set_discount(actor_of(member), customer_id=customer.domain_id, service_type_code=service_type,
                                  rate=rate, **kwargs)


def hidden_fields(response) -> dict:
    body = response.content.decode()
    form = re.search(r'<form method="post" id="confirm-form">(.*?)</form>', body, re.S).group(1)
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------

def test_set_then_change_a_discount_and_rating_applies_it(cat, tenant_a):
    first = set_as(tenant_a.admin, tenant_a.resale, rate="0.90")
    again = set_as(tenant_a.admin, tenant_a.resale, rate="0.875")
    assert first.pk == again.pk and PartnerDiscount.objects.get().rate == D("0.8750")
    assert again.updated_by == tenant_a.admin.user.username
    line = pricing.rate([pricing.Item("a", cat.server, period_type=PeriodType.MONTH, period_num=2)],
                        customer=tenant_a.resale)[0]
    assert (line.official, line.discount, line.amount) == (D("73.00"), D("9.125"), D("63.875"))
    logs = list(OperationLog.objects.filter(action="trade.discount_set").order_by("pk").values_list("result", "detail"))
    assert logs == [("success", {"customer_id": tenant_a.resale.domain_id, "service_type": "hws.service.type.ec2",
                                 "rate": "0.9000", "previous_rate": ""}),
                    ("success", {"customer_id": tenant_a.resale.domain_id, "service_type": "hws.service.type.ec2",
                                 "rate": "0.8750", "previous_rate": "0.9000"})]


@pytest.mark.parametrize("service_type,rate,code", [
    ("hws.service.type.ec2", "0.84", TradeCodes.DISCOUNT_OVER_LIMIT),    # ECS: at most 15 % off
    ("hws.service.type.evs", "0.89", TradeCodes.DISCOUNT_OVER_LIMIT),    # EVS: at most 10 % off
    ("hws.service.type.vpc", "0.95", TradeCodes.DISCOUNT_NOT_ALLOWED),   # no partner discounts
    ("hws.service.type.nothing", "0.95", TradeCodes.DISCOUNT_NOT_ALLOWED),
    ("hws.service.type.ec2", "0", Codes.PARAMETER),
    ("hws.service.type.ec2", "1.01", Codes.PARAMETER),
    ("hws.service.type.ec2", "0.85001", Codes.PARAMETER),
    ("hws.service.type.ec2", "abc", Codes.PARAMETER),
])
def test_refusals_change_nothing(cat, tenant_a, service_type, rate, code):
    assert code_of(lambda: set_as(tenant_a.admin, tenant_a.resale, service_type, rate)) == code
    assert not PartnerDiscount.objects.exists()


def test_the_ceiling_itself_is_allowed(cat, tenant_a):
    assert set_as(tenant_a.admin, tenant_a.resale, "hws.service.type.evs", "0.9").rate == D("0.9000")


def test_a_refused_setting_is_logged_as_a_failure(cat, tenant_a):
    code_of(lambda: set_as(tenant_a.admin, tenant_a.resale, rate="0.5"))
    assert list(OperationLog.objects.filter(action="trade.discount_set").values_list("result", "error_code")) == [
        ("failure", TradeCodes.DISCOUNT_OVER_LIMIT)]


def test_only_resale_customers_of_the_partner(cat, tenant_a, tenant_b):
    assert code_of(lambda: set_as(tenant_a.admin, tenant_a.referral)) == TradeCodes.DISCOUNT_NOT_ALLOWED
    assert code_of(lambda: set_as(tenant_a.admin, tenant_b.resale)) == Codes.NOT_FOUND
    assert code_of(lambda: discounts.set_discount(actor_of(tenant_a.admin), customer_id="0" * 32,
                                                  service_type_code="hws.service.type.ec2", rate="0.9")) == Codes.NOT_FOUND
    assert not PartnerDiscount.objects.exists()


def test_the_right_and_the_account_managers_scope(cat, tenant_a):
    assert code_of(lambda: set_as(tenant_a.member, tenant_a.resale)) == Codes.FORBIDDEN  # customers.view only
    role = RoleFactory(partner=tenant_a.partner, permissions=["customers.view", "discounts.manage"])
    manager = MemberFactory(partner=tenant_a.partner, roles=[role])
    # an account manager sees only the customers assigned to their team
    assert code_of(lambda: set_as(manager, tenant_a.resale)) == Codes.NOT_FOUND
    mine = AssociationFactory(partner=tenant_a.partner, association_type="2", account_manager=manager).customer
    assert set_as(manager, mine).customer == mine
    set_as(tenant_a.admin, tenant_a.resale)
    assert [d.customer for d in discounts.discounts_for(actor_of(manager))] == [mine]
    assert discounts.discounts_for(actor_of(tenant_a.member)).count() == 0


def test_remove_and_another_partners_discount_is_not_found(cat, tenant_a, tenant_b):
    mine = set_as(tenant_a.admin, tenant_a.resale)
    theirs = set_as(tenant_b.admin, tenant_b.resale)
    assert code_of(lambda: discounts.remove_discount(actor_of(tenant_a.admin), discount_id=theirs.pk)) == Codes.NOT_FOUND
    assert discounts.discount_for(actor_of(tenant_a.admin), theirs.pk) is None
    assert [d.pk for d in discounts.discounts_for(actor_of(tenant_a.admin))] == [mine.pk]
    discounts.remove_discount(actor_of(tenant_a.admin), discount_id=mine.pk)
    assert list(PartnerDiscount.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert OperationLog.objects.filter(action="trade.discount_remove", result="success",
                                       partner=tenant_a.partner).count() == 1


def test_a_discount_of_a_customer_who_left_is_neither_listed_nor_removable(cat, tenant_a):
    from django.utils import timezone

    from customers.models import Association

    discount = set_as(tenant_a.admin, tenant_a.resale)
    Association.objects.filter(customer=tenant_a.resale).update(ended_on=timezone.now())
    assert discounts.discounts_for(actor_of(tenant_a.admin)).count() == 0
    assert code_of(lambda: discounts.remove_discount(actor_of(tenant_a.admin), discount_id=discount.pk)) == Codes.NOT_FOUND


# ---------------------------------------------------------------------------------------------
# Verification codes
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def device(tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    return TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)


def current_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_setting_and_removing_ask_for_the_code(cat, tenant_a, device):
    assert code_of(lambda: set_as(tenant_a.admin, tenant_a.resale)) == Codes.VERIFICATION_REQUIRED
    assert code_of(lambda: set_as(tenant_a.admin, tenant_a.resale, verification_code="000000"
                                  if current_code(device) != "000000" else "111111")) == Codes.VERIFICATION_FAILED
    assert not PartnerDiscount.objects.exists()
    device.throttle_reset()
    discount = set_as(tenant_a.admin, tenant_a.resale, verification_code=current_code(device))
    assert code_of(lambda: discounts.remove_discount(actor_of(tenant_a.admin), discount_id=discount.pk)) \
        == Codes.VERIFICATION_REQUIRED
    assert PartnerDiscount.objects.filter(pk=discount.pk).exists()


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

def test_the_list_shows_rates_as_zhe_and_percent_and_filters(cat, tenant_a, admin_client_a):
    other = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    set_as(tenant_a.admin, tenant_a.resale, rate="0.85")
    set_as(tenant_a.admin, other, "hws.service.type.evs", rate="0.95")
    page = admin_client_a.get(URL)
    body = page.content.decode()
    assert page.status_code == 200 and body.count('data-discount="') == 2
    assert label("0.85") in body and label("0.95") in body
    assert "8.5折" in label("0.85") and "15" in label("0.85")
    only = admin_client_a.get(URL, {"customer_id": other.domain_id}).content.decode()
    assert only.count('data-discount="') == 1 and other.domain_id in only
    evs = admin_client_a.get(URL, {"service_type": "hws.service.type.evs"}).content.decode()
    assert evs.count('data-discount="') == 1


def test_set_in_two_steps_shows_the_rate_and_the_ceiling(cat, tenant_a, admin_client_a):
    data = {"customer": tenant_a.resale.domain_id, "service_type": "hws.service.type.ec2", "rate": "0.88"}
    confirm = admin_client_a.post(SET, data)
    body = confirm.content.decode()
    assert 'id="confirm-form"' in body and label("0.88") in body and "15" in body
    assert not PartnerDiscount.objects.exists()
    done = admin_client_a.post(SET, hidden_fields(confirm))
    assert done.status_code == 302 and done["Location"] == URL
    assert PartnerDiscount.objects.get().rate == D("0.8800")
    # a second submit of the same confirmation runs nothing
    again = admin_client_a.post(SET, {**hidden_fields(confirm), "rate": "0.86"})
    assert again.status_code == 200 and PartnerDiscount.objects.get().rate == D("0.8800")
    # the change link fills in the current rate
    change = admin_client_a.get(SET, {"customer": tenant_a.resale.domain_id, "service_type": "hws.service.type.ec2"})
    assert 'value="0.88"' in change.content.decode()


def test_the_form_refuses_a_rate_over_the_ceiling_and_a_referral_customer(cat, tenant_a, admin_client_a):
    over = admin_client_a.post(SET, {"customer": tenant_a.resale.domain_id, "service_type": "hws.service.type.evs",
                                     "rate": "0.8"})
    assert 'id="confirm-form"' not in over.content.decode() and over.context["form"].errors["rate"]
    referral = admin_client_a.post(SET, {"customer": tenant_a.referral.domain_id,
                                         "service_type": "hws.service.type.ec2", "rate": "0.9"})
    assert referral.context["form"].errors["customer"]
    vpc = admin_client_a.post(SET, {"customer": tenant_a.resale.domain_id, "service_type": "hws.service.type.vpc",
                                    "rate": "0.9"})
    assert vpc.context["form"].errors["service_type"]
    assert not PartnerDiscount.objects.exists()


def test_the_confirmation_asks_for_the_code(cat, tenant_a, admin_client_a, device):
    confirm = admin_client_a.post(SET, {"customer": tenant_a.resale.domain_id, "service_type": "hws.service.type.ec2",
                                        "rate": "0.9"})
    assert 'name="verification_code"' in confirm.content.decode()
    refused = admin_client_a.post(SET, hidden_fields(confirm))
    assert zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert not PartnerDiscount.objects.exists()
    done = admin_client_a.post(SET, {**hidden_fields(confirm), "verification_code": current_code(device)})
    assert done.status_code == 302 and PartnerDiscount.objects.count() == 1


def test_remove_page(cat, tenant_a, admin_client_a):
    discount = set_as(tenant_a.admin, tenant_a.resale)
    url = f"/trade/discounts/{discount.pk}/remove/"
    ask = admin_client_a.get(url)
    assert ask.status_code == 200 and label("0.90") in ask.content.decode()
    assert PartnerDiscount.objects.exists()
    done = admin_client_a.post(url)
    assert done.status_code == 302 and not PartnerDiscount.objects.exists()
    assert admin_client_a.post(url).status_code == 404


def test_pages_need_the_right(cat, tenant_a):
    client = login_client(tenant_a.member.user)  # customers.view only
    assert client.get(URL).status_code == 403 and client.get(SET).status_code == 403


def test_another_partner_finds_nothing(cat, tenant_a, tenant_b):
    theirs = set_as(tenant_b.admin, tenant_b.resale)
    set_as(tenant_a.admin, tenant_a.resale)
    client = login_client(tenant_a.admin.user)
    assert client.get(f"/trade/discounts/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/trade/discounts/{theirs.pk}/remove/").status_code == 404
    listed = client.get(URL, {"customer_id": tenant_b.resale.domain_id}).content.decode()
    assert 'data-discount="' not in listed
    assert tenant_b.resale.domain_name not in client.get(URL).content.decode()
    refused = client.post(SET, {"customer": tenant_b.resale.domain_id, "service_type": "hws.service.type.ec2",
                                "rate": "0.86"})
    assert refused.context["form"].errors["customer"]
    prefilled = client.get(SET, {"customer": tenant_b.resale.domain_id, "service_type": "hws.service.type.ec2"})
    assert "0.9" not in re.findall(r'name="rate"[^>]*', prefilled.content.decode())[0]
    assert PartnerDiscount.objects.get(pk=theirs.pk).rate == D("0.9000")
