"""Joining a programme: every documented reason it is refused (不满足加入计划的原因), each produced from real
rows; the application, the operator's decision (re-checked) and what the partner hears."""

import pytest
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.choices import ChargingMode, OnDemandStatus
from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import membership as services
from programs.catalogue import DISTRIBUTOR, RESELLER
from programs.choices import MembershipStatus
from programs.errors_standing import StandingCodes
from programs.models import Membership

from ..billing.test_funds import _race
from ..conftest import actor_of
from ..factories import AssociationFactory, PartnerFactory, ResourceFactory
from .test_standing_support import arrears, as_applicant, operator, own_account, program

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tenant_a_may_apply(tenant_a):
    """The applicant here is a distributor: a solution provider is in the plan by its type (tested below)."""
    as_applicant(tenant_a.partner)


def _already_in_plan(partner):
    Membership.objects.create(partner=partner, program=program(), status=MembershipStatus.JOINED)


def _sub_customer(partner):
    other = PartnerFactory(partner_type="distributor")
    AssociationFactory(partner=other, customer=own_account(partner))


def _unclosed_resources(partner):
    ResourceFactory(customer=own_account(partner), charging_mode=ChargingMode.ON_DEMAND, status=OnDemandStatus.NORMAL)


def _frozen_partner(partner):
    partner.status = "suspended"
    partner.save()


def _frozen_account(partner):
    own_account(partner, is_frozen=1)


def _in_arrears(partner):
    arrears(own_account(partner))


def _in_debt(partner):
    own_account(partner, in_debt=True)


def _enterprise_master(partner):
    own_account(partner, is_org_account=True)


def _enterprise_member(partner):
    own_account(partner, is_org_member=True)


def _credit_account(partner):
    own_account(partner, has_credit_debt=True)


REASONS = [
    ("already_in_plan", _already_in_plan),
    ("sub_customer", _sub_customer),
    ("unclosed_resources", _unclosed_resources),
    ("frozen", _frozen_account),
    ("in_arrears", _in_arrears),
    ("in_arrears", _in_debt),
    ("enterprise", _enterprise_master),
    ("enterprise", _enterprise_member),
    ("credit_account", _credit_account),
]


@pytest.mark.parametrize("reason, make", REASONS, ids=[make.__name__.strip("_") for _r, make in REASONS])
def test_each_documented_reason_refuses_the_application_and_is_named(programmes, tenant_a, reason, make):
    make(tenant_a.partner)
    before = Membership.objects.filter(status=MembershipStatus.APPLYING).count()

    refusals = services.refusals_to_join(tenant_a.partner, program())
    with pytest.raises(DomainError) as refused:
        services.join(actor_of(tenant_a.admin), program_code=program().code)

    assert [r.code for r in refusals] == [reason]
    assert refused.value.code == StandingCodes.JOIN_REFUSED and refused.value.extra["reasons"] == [reason]
    assert str(refusals[0].message) in refused.value.message
    assert Membership.objects.filter(status=MembershipStatus.APPLYING).count() == before
    log = OperationLog.objects.get(action="programs.join")
    assert (log.result, log.error_code, log.detail["reasons"]) == ("failure", StandingCodes.JOIN_REFUSED, [reason])


def test_a_solution_provider_is_in_the_plan_by_its_type_without_a_membership(programmes, tenant_b):
    assert tenant_b.partner.partner_type == "solution_provider" and not Membership.objects.exists()

    refusals = services.refusals_to_join(tenant_b.partner, program())
    with pytest.raises(DomainError) as refused:
        services.join(actor_of(tenant_b.admin), program_code=program().code)

    assert [r.code for r in refusals] == ["already_in_plan"]
    assert refused.value.extra["reasons"] == ["already_in_plan"] and not Membership.objects.exists()


def test_a_suspended_partner_is_told_it_is_frozen_and_its_members_cannot_apply(programmes, tenant_a):
    _frozen_partner(tenant_a.partner)

    refusals = services.refusals_to_join(tenant_a.partner, program())
    with pytest.raises(DomainError) as refused:   # a suspended partner's members hold no rights at all
        services.join(actor_of(tenant_a.admin), program_code=program().code)

    assert [r.code for r in refusals] == ["frozen"] and refused.value.code == Codes.FORBIDDEN
    assert not Membership.objects.exists()


def test_every_reason_that_applies_is_listed_in_huaweis_order(programmes, tenant_a):
    _credit_account(tenant_a.partner)          # the same own account carries several flags
    account = tenant_a.partner.domain_id
    from customers.models import Customer
    Customer.objects.filter(domain_id=account).update(is_org_account=True, is_frozen=1)
    _frozen_partner(tenant_a.partner)
    _already_in_plan(tenant_a.partner)

    codes = [r.code for r in services.refusals_to_join(tenant_a.partner, program())]

    assert codes == ["already_in_plan", "frozen", "enterprise", "credit_account"]


def test_a_closed_resource_an_ended_association_or_a_paid_account_is_no_reason(programmes, tenant_a):
    account = own_account(tenant_a.partner)
    ResourceFactory(customer=account, status=OnDemandStatus.CLOSED)
    association = AssociationFactory(partner=PartnerFactory(partner_type="distributor"), customer=account)
    association.ended_on = association.associated_on
    association.save()
    arrears(account, "0.00")

    assert services.refusals_to_join(tenant_a.partner, program()) == []


def test_a_clean_partner_applies_once_and_a_second_application_is_refused(programmes, tenant_a):
    actor = actor_of(tenant_a.admin)

    membership = services.join(actor, program_code=program().code)
    with pytest.raises(DomainError) as again:
        services.join(actor, program_code=program().code)

    assert (membership.status, membership.partner, membership.level) == (MembershipStatus.APPLYING, tenant_a.partner,
                                                                         None)
    assert again.value.extra["reasons"] == ["already_in_plan"]
    assert OperationLog.objects.filter(action="programs.join", result="success").count() == 1


def test_programmes_applied_for_offline_or_through_a_distributor_are_not_applied_for_here(programmes, tenant_a):
    actor = actor_of(tenant_a.admin)
    for code in (DISTRIBUTOR, RESELLER):
        with pytest.raises(DomainError) as refused:
            services.join(actor, program_code=code)
        assert refused.value.code == StandingCodes.NOT_APPLICABLE
    assert not Membership.objects.exists()


def test_joining_takes_programs_manage(programmes, tenant_a):
    with pytest.raises(DomainError) as refused:
        services.join(actor_of(tenant_a.member), program_code=program().code)
    assert refused.value.code == Codes.FORBIDDEN and not Membership.objects.exists()


def test_joining_asks_for_the_verification_code_when_the_partner_has_it_on(programmes, tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    actor = actor_of(tenant_a.admin)

    with pytest.raises(DomainError) as missing:
        services.join(actor, program_code=program().code, verification_code=None)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    membership = services.join(actor, program_code=program().code, verification_code=code)

    assert missing.value.code == Codes.VERIFICATION_REQUIRED and membership.status == MembershipStatus.APPLYING


def test_an_operator_approves_at_the_lowest_level_and_the_partner_is_told(programmes, tenant_a):
    membership = services.join(actor_of(tenant_a.admin), program_code=program().code)

    decided = services.decide_membership(operator(), membership_id=membership.pk, approve=True)

    assert (decided.status, decided.level.code, decided.decided_by.username) == (
        MembershipStatus.JOINED, "certified", "operator")
    event = Event.objects.get(type="program.membership_decided")
    assert (event.partner, event.data["decision"], event.data["level"]) == (tenant_a.partner, "approved", "认证级")
    log = OperationLog.objects.get(action="programs.decide_membership")
    assert (log.partner, log.result, log.actor_kind) == (tenant_a.partner, "success", "operator")
    with pytest.raises(DomainError) as twice:
        services.decide_membership(operator(), membership_id=membership.pk, approve=True)
    assert twice.value.code == StandingCodes.NOT_PENDING


def test_approval_checks_the_reasons_again(programmes, tenant_a):
    membership = services.join(actor_of(tenant_a.admin), program_code=program().code)
    _in_arrears(tenant_a.partner)            # fell into arrears while the application waited

    with pytest.raises(DomainError) as refused:
        services.decide_membership(operator(), membership_id=membership.pk, approve=True)

    membership.refresh_from_db()
    assert refused.value.extra["reasons"] == ["in_arrears"] and membership.status == MembershipStatus.APPLYING


def test_a_rejection_needs_a_reason_is_told_and_the_partner_may_apply_again(programmes, tenant_a):
    actor = actor_of(tenant_a.admin)
    membership = services.join(actor, program_code=program().code)

    with pytest.raises(DomainError) as no_reason:
        services.decide_membership(operator(), membership_id=membership.pk, approve=False, reason="  ")
    services.decide_membership(operator(), membership_id=membership.pk, approve=False, reason="资料不全")
    again = services.join(actor, program_code=program().code)

    membership.refresh_from_db()
    assert no_reason.value.code == StandingCodes.REASON_REQUIRED
    assert (membership.status, membership.reason) == (MembershipStatus.REJECTED, "资料不全")
    assert Event.objects.get(type="program.membership_decided").data["decision"] == "rejected"
    assert again.status == MembershipStatus.APPLYING


def test_a_member_cannot_decide(programmes, tenant_a):
    membership = services.join(actor_of(tenant_a.admin), program_code=program().code)
    with pytest.raises(DomainError) as refused:
        services.decide_membership(actor_of(tenant_a.admin), membership_id=membership.pk, approve=True)
    assert refused.value.code == Codes.FORBIDDEN


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_applications_at_once_make_one_membership(programmes, tenant_a):
    actor = actor_of(tenant_a.admin)

    results = _race(range(2), lambda _n: services.join(actor, program_code=program().code))

    assert sorted(r if isinstance(r, str) else "ok" for r in results) == [StandingCodes.JOIN_REFUSED, "ok"]
    assert Membership.objects.filter(partner=tenant_a.partner).count() == 1
