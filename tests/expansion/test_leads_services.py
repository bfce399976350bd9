"""Leads (线索管理) services: creating and dispatching, statuses, follow-ups, owners, the account manager's
scope, conversion to a customer or an opportunity; every write in the operation log, no contact in any log
row or event."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from events.models import Event
from expansion import leads, leads_conversion, selectors_leads
from expansion.choices import FollowUpMethod, LeadSource, LeadStatus
from expansion.errors_leads import LeadCodes
from expansion.models import FollowUp, Lead
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..factories import AssociationFactory, MemberFactory, PartnerFactory, RoleFactory, UserFactory
from . import leads_fixtures
from .leads_fixtures import EMAIL, PHONE, actor_of, in_plan, make_lead

leads_tenant, other_tenant = leads_fixtures.leads_tenant, leads_fixtures.other_tenant  # the fixtures

pytestmark = pytest.mark.django_db


def _code(call):
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def operator():
    return actor_of(UserFactory(username="ops", is_staff=True, is_superuser=True))


# ---------------------------------------------------------------------------------------------------------
# Creating and dispatching
# ---------------------------------------------------------------------------------------------------------

def test_a_partner_creates_a_lead_of_its_own_logged_without_its_contacts(leads_tenant):
    t = leads_tenant
    lead = leads.create_lead(actor_of(t.admin), company_name="  新公司 ", contact_name="王", phone=PHONE,
                             email=EMAIL, owner=t.member)

    assert (lead.partner, lead.source, lead.status, lead.company_name, lead.owner) == (
        t.partner, LeadSource.PARTNER, LeadStatus.NEW, "新公司", t.member)
    log = OperationLog.objects.get(action="expansion.lead_create")
    assert (log.partner, log.result, log.target_id) == (t.partner, "success", str(lead.pk))
    assigned = Event.objects.get(type="expansion.lead_assigned")
    assert assigned.data == {"lead_id": lead.pk, "company_name": "新公司", "owner": str(t.member)}
    text = str(list(OperationLog.objects.values_list("detail", flat=True))) + str(
        list(Event.objects.values_list("data", flat=True)))
    assert PHONE not in text and EMAIL not in text


def test_creating_needs_expansion_manage_and_a_company(leads_tenant):
    t = leads_tenant
    assert _code(lambda: leads.create_lead(actor_of(t.member), company_name="x")) == Codes.FORBIDDEN
    assert _code(lambda: leads.create_lead(actor_of(t.admin), company_name="  ")) == Codes.PARAMETER
    assert _code(lambda: leads.create_lead(actor_of(t.admin), company_name="x" * 201)) == Codes.PARAMETER
    assert OperationLog.objects.filter(action="expansion.lead_create", result="failure").count() == 3


def test_a_too_long_field_is_named_by_its_label_not_its_column(leads_tenant):
    from django.utils import translation

    admin = actor_of(leads_tenant.admin)
    messages = {}
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(DomainError) as caught:
            leads.create_lead(admin, company_name="x", contact_name="y" * 65)
        messages[language] = str(caught.value.message)
    assert messages["en"] == "Contact is too long (at most 64 characters)."
    assert messages["zh-hans"].startswith("联系人") and "contact_name" not in messages["zh-hans"]


def test_an_owner_by_user_name_is_one_the_actor_may_assign_to(leads_tenant, other_tenant):
    t = leads_tenant
    lead = leads.create_lead(actor_of(t.admin), company_name="按用户名", owner_username=t.member.user.username)
    assert lead.owner == t.member
    refused = _code(lambda: leads.create_lead(actor_of(t.admin), company_name="x",
                                              owner_username=other_tenant.admin.user.username))
    assert refused == LeadCodes.OWNER_NOT_FOUND
    log = OperationLog.objects.filter(action="expansion.lead_create").order_by("-id").first()
    assert (log.result, log.error_code) == ("failure", LeadCodes.OWNER_NOT_FOUND)


def test_the_owner_is_one_of_the_partners_members(leads_tenant, other_tenant):
    t = leads_tenant
    refused = _code(lambda: leads.create_lead(actor_of(t.admin), company_name="x", owner=other_tenant.admin))
    assert refused == LeadCodes.OWNER_NOT_FOUND
    assert not Lead.objects.filter(company_name="x").exists()


def test_operators_dispatch_to_an_active_partner_which_is_told(leads_tenant):
    t = leads_tenant
    lead = leads.dispatch_lead(operator(), partner=t.partner, company_name="派发公司", phone=PHONE)

    assert (lead.source, lead.status, lead.created_by) == (LeadSource.DISPATCHED, LeadStatus.NEW, "ops")
    event = Event.objects.get(type="expansion.lead_dispatched")
    assert (event.partner, event.data) == (t.partner, {"lead_id": lead.pk, "company_name": "派发公司"})
    log = OperationLog.objects.get(action="expansion.lead_dispatch")
    assert (log.partner, log.actor_kind) == (t.partner, "operator")


def test_only_huawei_cloud_dispatches_and_not_to_an_inactive_partner(leads_tenant):
    t = leads_tenant
    assert _code(lambda: leads.dispatch_lead(actor_of(t.admin), partner=t.partner, company_name="x")) == Codes.FORBIDDEN
    delisted = PartnerFactory(status="delisted")
    assert _code(lambda: leads.dispatch_lead(operator(), partner=delisted, company_name="x")) == \
        LeadCodes.PARTNER_INACTIVE
    assert not Lead.objects.filter(company_name="x").exists()


# ---------------------------------------------------------------------------------------------------------
# Statuses and follow-ups
# ---------------------------------------------------------------------------------------------------------

def test_the_first_follow_up_moves_a_new_lead_to_following(leads_tenant):
    t = leads_tenant
    soon = timezone.now() + timedelta(days=2)
    follow_up = leads.add_follow_up(actor_of(t.admin), lead=t.lead, method=FollowUpMethod.VISIT, note="拜访",
                                    next_at=soon)
    t.lead.refresh_from_db()
    assert (follow_up.method, follow_up.next_at, follow_up.created_by) == ("visit", soon, "a.admin")
    assert t.lead.status == LeadStatus.FOLLOWING
    assert selectors_leads.leads_for(actor_of(t.admin)).get(pk=t.lead.pk).next_follow_up == soon


@pytest.mark.parametrize("method,note,next_in,code", [
    ("call", "x", None, LeadCodes.METHOD_RESERVED),
    ("fax", "x", None, Codes.PARAMETER),
    ("phone", " ", None, Codes.PARAMETER),
    ("phone", "x", -1, LeadCodes.NEXT_IN_PAST),
])
def test_follow_ups_that_are_refused(leads_tenant, method, note, next_in, code):
    t = leads_tenant
    next_at = timezone.now() + timedelta(hours=next_in) if next_in else None
    assert _code(lambda: leads.add_follow_up(actor_of(t.admin), lead=t.lead, method=method, note=note,
                                             next_at=next_at)) == code
    assert not FollowUp.objects.exists()


def test_status_rules(leads_tenant):
    t = leads_tenant
    admin = actor_of(t.admin)
    assert _code(lambda: leads.change_status(admin, lead=t.lead, status=LeadStatus.CONVERTED)) == LeadCodes.STATUS_CHANGE
    assert _code(lambda: leads.change_status(admin, lead=t.lead, status=LeadStatus.INVALID)) == LeadCodes.REASON_REQUIRED

    leads.change_status(admin, lead=t.lead, status=LeadStatus.INVALID, reason="空号")
    t.lead.refresh_from_db()
    assert t.lead.status == LeadStatus.INVALID
    assert "空号" in FollowUp.objects.get(lead=t.lead).note
    # an invalid lead takes no follow-up or edit until it is reopened
    assert _code(lambda: leads.add_follow_up(admin, lead=t.lead, method="phone", note="x")) == LeadCodes.LEAD_CLOSED
    assert _code(lambda: leads.update_lead(admin, lead=t.lead, region="上海")) == LeadCodes.LEAD_CLOSED
    assert _code(lambda: leads.change_status(admin, lead=t.lead, status=LeadStatus.NEW)) == LeadCodes.STATUS_CHANGE

    leads.change_status(admin, lead=t.lead, status=LeadStatus.FOLLOWING)
    t.lead.refresh_from_db()
    assert t.lead.status == LeadStatus.FOLLOWING
    assert _code(lambda: leads.change_status(admin, lead=t.lead, status=LeadStatus.FOLLOWING)) == LeadCodes.STATUS_CHANGE


def test_editing_a_lead_logs_the_names_of_the_changed_fields_only(leads_tenant):
    t = leads_tenant
    leads.update_lead(actor_of(t.admin), lead=t.lead, phone="13800009999", region="上海", email=None)
    t.lead.refresh_from_db()
    assert (t.lead.phone, t.lead.region, t.lead.email) == ("13800009999", "上海", EMAIL)
    log = OperationLog.objects.get(action="expansion.lead_update")
    assert sorted(log.detail["changed"]) == ["phone", "region"]
    assert "13800009999" not in str(log.detail)


def test_a_partner_in_the_plan_cannot_change_contacts_it_never_sees(leads_tenant):
    t = leads_tenant
    in_plan(t.partner)
    admin = actor_of(t.admin)
    assert _code(lambda: leads.update_lead(admin, lead=t.lead, phone="13800009999")) == LeadCodes.CONTACTS_MASKED
    leads.update_lead(admin, lead=t.lead, region="深圳")  # the other fields still change
    t.lead.refresh_from_db()
    assert (t.lead.phone, t.lead.region) == (PHONE, "深圳")


def test_assigning_an_owner(leads_tenant):
    t = leads_tenant
    leads.assign_owner(actor_of(t.admin), lead=t.lead, owner=t.member)
    t.lead.refresh_from_db()
    assert t.lead.owner == t.member
    leads.assign_owner(actor_of(t.admin), lead=t.lead, owner=None)
    t.lead.refresh_from_db()
    assert t.lead.owner is None
    assert Event.objects.filter(type="expansion.lead_assigned").count() == 1


# ---------------------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------------------

def test_an_account_manager_sees_its_teams_and_unassigned_leads(leads_tenant):
    t = leads_tenant
    role = RoleFactory(partner=t.partner, permissions=["expansion.view", "expansion.manage"])
    manager = MemberFactory(partner=t.partner, roles=[role])
    mine = make_lead(t.partner, 3, owner=manager)
    others = make_lead(t.partner, 4, owner=t.admin)

    seen = set(selectors_leads.leads_for(actor_of(manager)).values_list("pk", flat=True))
    assert seen == {t.lead.pk, mine.pk}
    assert selectors_leads.lead_for(actor_of(manager), others.pk) is None
    assert _code(lambda: leads.add_follow_up(actor_of(manager), lead=others, method="phone", note="x")) == Codes.NOT_FOUND
    # the whole book with customers.view_all
    assert selectors_leads.leads_for(actor_of(t.admin)).count() == 3


def test_another_partners_lead_is_not_found(leads_tenant, other_tenant):
    admin = actor_of(leads_tenant.admin)
    assert selectors_leads.lead_for(admin, other_tenant.lead.pk) is None
    assert _code(lambda: leads.add_follow_up(admin, lead=other_tenant.lead, method="phone", note="x")) == Codes.NOT_FOUND
    assert _code(lambda: leads.change_status(admin, lead=other_tenant.lead, status="invalid", reason="x")) == \
        Codes.NOT_FOUND
    assert not FollowUp.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------------------------------------

def test_converting_to_one_of_the_partners_customers(leads_tenant, other_tenant):
    t = leads_tenant
    admin = actor_of(t.admin)
    refused = _code(lambda: leads_conversion.convert_to_customer(admin, lead=t.lead,
                                                                 customer_id=other_tenant.resale.domain_id))
    assert refused == LeadCodes.CUSTOMER_NOT_FOUND
    ended = AssociationFactory(partner=t.partner, ended_on=timezone.now()).customer
    assert _code(lambda: leads_conversion.convert_to_customer(admin, lead=t.lead, customer_id=ended.domain_id)) == \
        LeadCodes.CUSTOMER_NOT_FOUND

    leads_conversion.convert_to_customer(admin, lead=t.lead, customer_id=t.resale.domain_id)
    t.lead.refresh_from_db()
    assert (t.lead.status, t.lead.customer) == (LeadStatus.CONVERTED, t.resale)
    assert Event.objects.get(type="expansion.lead_converted").data["customer_id"] == t.resale.domain_id
    assert _code(lambda: leads_conversion.convert_to_customer(admin, lead=t.lead, customer_id=t.referral.domain_id)) \
        == LeadCodes.ALREADY_CONVERTED
    # converted is final: no follow-up, no status change by hand
    assert _code(lambda: leads.add_follow_up(admin, lead=t.lead, method="phone", note="x")) == LeadCodes.LEAD_CLOSED
    assert _code(lambda: leads.change_status(admin, lead=t.lead, status="invalid", reason="x")) == \
        LeadCodes.STATUS_CHANGE


def test_an_account_manager_links_only_customers_of_its_team(leads_tenant):
    t = leads_tenant
    role = RoleFactory(partner=t.partner, permissions=["expansion.view", "expansion.manage", "customers.view"])
    manager = MemberFactory(partner=t.partner, roles=[role])
    assert _code(lambda: leads_conversion.convert_to_customer(actor_of(manager), lead=t.lead,
                                                              customer_id=t.resale.domain_id)) == \
        LeadCodes.CUSTOMER_NOT_FOUND


def test_converting_to_an_opportunity_registers_a_po(leads_tenant, monkeypatch):
    t = leads_tenant
    seen = {}

    def register_opportunity(actor, *, name, customer_name, customer=None, enterprise=None, contact_name="",
                             contact_phone="", product="", amount=None, expected_close=None, notes="", lead=None):
        from expansion.models import Opportunity

        seen.update(name=name, customer_name=customer_name, contact_phone=contact_phone, lead=lead.pk,
                    customer=customer)
        return Opportunity.objects.create(partner=actor.partner, origin="PO", name=name, customer_name=customer_name)

    monkeypatch.setattr(leads_conversion, "_register", lambda: register_opportunity)
    admin = actor_of(t.admin)
    leads_conversion.convert_to_customer(admin, lead=t.lead, customer_id=t.resale.domain_id)
    opportunity = leads_conversion.convert_to_opportunity(admin, lead=t.lead, name="上云项目", amount=None)

    t.lead.refresh_from_db()
    assert (t.lead.status, t.lead.opportunity, t.lead.customer) == (LeadStatus.CONVERTED, opportunity, t.resale)
    assert seen == {"name": "上云项目", "customer_name": t.lead.company_name, "contact_phone": PHONE,
                    "lead": t.lead.pk, "customer": t.resale}
    assert _code(lambda: leads_conversion.convert_to_opportunity(admin, lead=t.lead, name="again")) == \
        LeadCodes.ALREADY_CONVERTED


def test_an_invalid_lead_is_not_converted(leads_tenant):
    t = leads_tenant
    admin = actor_of(t.admin)
    leads.change_status(admin, lead=t.lead, status="invalid", reason="重复")
    assert _code(lambda: leads_conversion.convert_to_customer(admin, lead=t.lead, customer_id=t.resale.domain_id)) \
        == LeadCodes.LEAD_CLOSED


def test_the_real_register_opportunity_when_the_opportunities_area_is_there(leads_tenant):
    """Against helper D's expansion.opportunities.register_opportunity (skipped until it exists)."""
    pytest.importorskip("expansion.opportunities")
    from expansion import opportunities

    if not hasattr(opportunities, "register_opportunity"):
        pytest.skip("register_opportunity not written yet")
    t = leads_tenant
    opportunity = leads_conversion.convert_to_opportunity(actor_of(t.admin), lead=t.lead, name="上云项目")
    t.lead.refresh_from_db()
    assert (t.lead.status, t.lead.opportunity_id) == (LeadStatus.CONVERTED, opportunity.pk)
    assert (opportunity.partner, opportunity.origin, opportunity.customer_name) == (t.partner, "PO", t.lead.company_name)


def test_marketing_plan_is_set_by_operators_only(leads_tenant):
    t = leads_tenant
    assert _code(lambda: leads.set_marketing_plan(actor_of(t.admin), partner=t.partner, on=True)) == Codes.FORBIDDEN
    leads.set_marketing_plan(operator(), partner=t.partner, on=True)
    from expansion.masking import contacts_masked

    assert contacts_masked(SimpleNamespace(expansion_profile=t.partner.expansion_profile))
    assert OperationLog.objects.filter(action="expansion.marketing_plan", partner=t.partner, result="success").exists()
