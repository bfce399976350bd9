"""Incentive policies: which policy applies (programme joined before the general one, months, active), what a
service type earns under it, the operators' policy admin (months, overlaps, rule rates, inlines, and that saving
or deleting a policy marks the closed months of its validity for a new run), and the partners' 激励政策 page
(zh-hans, the month picker, bad input, no policy, permissions, constant queries)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.test import Client
from django.utils import timezone, translation

from catalog.models import ServiceType
from incentives import policies
from incentives.choices import PolicyCode, RunStatus
from incentives.models import IncentivePolicy, IncentiveRun, PolicyServiceRule, PolicyTier
from partnercenter.models import OperationLog
from programs.choices import MembershipStatus
from programs.models import Membership, Program

from ..conftest import login_client
from ..factories import MemberFactory, RoleFactory
from .conftest import EC2, EVS, INC_CYCLE, OBS, close_month, make_policy, month_of, shanghai

D = Decimal
MARCH = month_of(INC_CYCLE)


# ---------------------------------------------------------------------------------------------
# which policy applies
# ---------------------------------------------------------------------------------------------

def test_the_joined_programmes_policy_before_the_general_one(inc_world, inc_policies, tenant_b):
    a, b = inc_world.partner, tenant_b.partner
    general_resale = make_policy("resale-general", association_type="2")
    assert policies.policies_for(a, MARCH) == {"1": inc_policies.referral, "2": inc_policies.resale}
    assert policies.policies_for(b, MARCH) == {"1": inc_policies.referral, "2": general_resale}
    # applying is not joining; a programme left before the month is not held in it (left during it, it is)
    Membership.objects.create(partner=b, program=inc_world.program, status=MembershipStatus.APPLYING)
    assert policies.policy_for(b, MARCH, "2") == general_resale
    Membership.objects.filter(partner=a).update(status=MembershipStatus.LEFT, left_at=shanghai("2026-03-10 10:00"))
    assert policies.policy_for(a, MARCH, "2") == inc_policies.resale
    Membership.objects.filter(partner=a).update(left_at=shanghai("2026-02-27 10:00"))
    assert policies.policy_for(a, MARCH, "2") == general_resale


def test_of_two_joined_programmes_the_lowest_kind_and_code(inc_world, inc_policies):
    distributor = Program.objects.get(code="distributor")
    Membership.objects.create(partner=inc_world.partner, program=distributor, status=MembershipStatus.JOINED,
                              decided_at=inc_world.membership.decided_at)
    theirs = make_policy("resale-dist", association_type="2", program=distributor)
    assert distributor.kind < inc_world.program.kind
    assert policies.policy_for(inc_world.partner, MARCH, "2") == theirs


def test_months_of_validity_and_active(inc_world, inc_policies):
    partner, resale = inc_world.partner, inc_policies.resale
    resale.valid_until = month_of("2026-05")
    resale.save()
    assert policies.policy_for(partner, month_of("2026-05"), "2") == resale       # the last month is included
    assert policies.policy_for(partner, month_of("2026-06"), "2") is None
    assert policies.policy_for(partner, month_of("2026-02"), "2") is None
    resale.is_active = False
    resale.save()
    assert policies.policy_for(partner, MARCH, "2") is None


def test_what_a_service_type_earns(inc_world, inc_policies):
    resale, referral = inc_policies.resale, inc_policies.referral
    rules = policies.rules_of([resale, referral])
    services = inc_world.services
    evs = policies.rule_for(resale, rules[resale.pk].get(services[EVS].pk))
    assert (evs.code, evs.rate(1), evs.rate(3), evs.earns_rebate) == (1, D("0.0600"), D("0.0800"), True)
    ec2 = policies.rule_for(resale, rules[resale.pk].get(services[EC2].pk))
    assert (ec2.code, ec2.rate(1), ec2.rate(3), ec2.explicit) == (0, D("0.0400"), D("0.0200"), False)
    obs = policies.rule_for(referral, rules[referral.pk].get(services[OBS].pk))
    assert (obs.code, obs.earns_performance, obs.earns_rebate, obs.rate(3)) == (2, False, False, D("0"))
    thirteen = policies.rule_for(referral, PolicyServiceRule(incentive_policy=PolicyCode.PERFORMANCE_ONLY))
    assert (thirteen.earns_performance, thirteen.earns_rebate, thirteen.rate(1)) == (True, False, D("0"))


# ---------------------------------------------------------------------------------------------
# the policy admin
# ---------------------------------------------------------------------------------------------

def _form(inc_world, **changes):
    data = {"code": "resale-new", "name": "新代售政策", "program": "", "association_type": "2",
            "valid_from": "2026-03-17", "valid_until": "", "period_rate": "0.0400", "on_demand_rate": "0.0200",
            "first_order_rate": "0", "description": "", "is_active": "on",
            "rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "0", "rules-MIN_NUM_FORMS": "0",
            "rules-MAX_NUM_FORMS": "1000", "rules-0-service_type": str(inc_world.services[EVS].pk),
            "rules-0-incentive_policy": "1", "rules-0-period_rate": "0.0600", "rules-0-on_demand_rate": "0.0800",
            "tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
            "tiers-MAX_NUM_FORMS": "1000", "tiers-0-min_performance": "500.00", "tiers-0-extra_rate": "0.0100"}
    data.update(changes)
    return data


ADD = reverse("admin:incentives_incentivepolicy_add")


def test_an_operator_adds_a_policy_with_rules_and_tiers(inc_world, operator_user):
    IncentiveRun.objects.create(bill_cycle=INC_CYCLE, status=RunStatus.DONE)
    client = login_client(operator_user)
    response = client.post(ADD, _form(inc_world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = IncentivePolicy.objects.get(code="resale-new")
    assert policy.valid_from == MARCH  # any day of the month: its first
    assert list(policy.rules.values_list("incentive_policy", "period_rate")) == [(1, D("0.0600"))]
    assert list(policy.tiers.values_list("min_performance", "extra_rate")) == [(D("500.00"), D("0.0100"))]
    # March is closed and in its months: to be run again, and the change is logged
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.STALE
    log = OperationLog.objects.get(action="incentives.policy_changed")
    assert log.detail["stale_cycles"] == [INC_CYCLE] and log.actor_user == operator_user


@pytest.mark.parametrize("changes, message", [
    ({"rules-0-period_rate": ""}, "A specific product needs both rates."),
    ({"rules-0-incentive_policy": "13"}, "Only a specific product has rates of its own: leave them empty."),
    ({"valid_until": "2026-01-01"}, "The last month cannot be before the first."),
    ({"rules-0-incentive_policy": "7"}, "Select a valid choice."),
    ({"period_rate": "1.5"}, "A rate is a share from 0 up to 1"),
    ({"tiers-0-extra_rate": "-0.01"}, "A rate is a share from 0 up to 1"),
    ({"tiers-0-min_performance": "0"}, "A tier starts above 0."),
])
def test_the_admin_refuses_bad_policies(inc_world, operator_user, changes, message):
    client = login_client(operator_user)
    with translation.override("en"):
        response = client.post(ADD, _form(inc_world, **changes), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IncentivePolicy.objects.filter(code="resale-new").exists()


def test_two_active_policies_of_one_programme_and_type_may_not_share_a_month(inc_world, inc_policies,
                                                                              operator_user):
    client = login_client(operator_user)
    program = str(inc_world.program.pk)
    clash = client.post(ADD, _form(inc_world, program=program, valid_from="2026-06-01"))
    assert clash.status_code == 200 and "resale-sp" in clash.content.decode()
    # before the other one starts, or inactive, or general: allowed
    before = client.post(ADD, _form(inc_world, program=program, valid_from="2025-01-01", valid_until="2026-02-01"))
    assert before.status_code == 302
    general = client.post(ADD, _form(inc_world, code="resale-general", valid_from="2026-06-01"))
    assert general.status_code == 302


def test_changing_or_deleting_a_policy_marks_the_months_before_and_after(inc_world, inc_policies, operator_user):
    close_month("2026-04")
    for cycle in (INC_CYCLE, "2026-04"):
        IncentiveRun.objects.create(bill_cycle=cycle, status=RunStatus.DONE)
    client = login_client(operator_user)
    policy = make_policy("short", association_type="1", program=inc_world.program, valid_until=INC_CYCLE)
    IncentiveRun.objects.update(status=RunStatus.DONE)
    url = reverse("admin:incentives_incentivepolicy_change", args=[policy.pk])
    data = _form(inc_world, code="short", association_type="1", program=str(inc_world.program.pk),
                 valid_from="2026-04-01", valid_until="2026-04-30", **{"rules-TOTAL_FORMS": "0",
                                                                       "tiers-TOTAL_FORMS": "0"})
    assert client.post(url, data).status_code == 302
    # March (no longer in force) and April (now in force) are both to be run again
    assert set(IncentiveRun.objects.values_list("status", flat=True)) == {RunStatus.STALE}

    IncentiveRun.objects.update(status=RunStatus.DONE)
    delete = reverse("admin:incentives_incentivepolicy_delete", args=[policy.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not IncentivePolicy.objects.filter(pk=policy.pk).exists()
    assert dict(IncentiveRun.objects.values_list("bill_cycle", "status")) == {INC_CYCLE: RunStatus.DONE,
                                                                              "2026-04": RunStatus.STALE}


# ---------------------------------------------------------------------------------------------
# the 激励政策 page
# ---------------------------------------------------------------------------------------------

PAGE = reverse("incentives:policies")


def test_the_page_shows_the_months_policies_in_chinese(inc_world, inc_policies, admin_client_a):
    PolicyTier.objects.create(policy=inc_policies.resale, min_performance=D("2000.00"), extra_rate=D("0.0250"))
    response = admin_client_a.get(PAGE, {"month": INC_CYCLE})
    assert response.status_code == 200
    html = response.content.decode()
    sections = {s.association_type: s for s in response.context["sections"]}
    assert sections["1"].policy == inc_policies.referral and sections["2"].policy == inc_policies.resale
    assert [(row.service_type.code, row.rule.code, row.period_rate, row.on_demand_rate)
            for row in sections["2"].rules] == [(EVS, 1, "6%", "8%")]
    assert [(row.service_type.code, row.code_label) for row in sections["1"].rules] == [
        (OBS, PolicyCode.NO_PERFORMANCE.label)]
    assert sections["2"].tiers == [(D("500.00"), "1%"), (D("2000.00"), "2.5%")]
    for text in ("代售激励", "推荐激励", "解决方案提供商计划", "云硬盘", "4%", "2.5%"):
        assert text in html
    assert 'id="why-not-consumption"' in html


def test_the_service_type_search(inc_world, inc_policies, admin_client_a):
    found = admin_client_a.get(PAGE, {"month": INC_CYCLE, "q": "云硬"})
    assert [[row.service_type.code for row in s.rules] for s in found.context["sections"]] == [[], [EVS]]
    nothing = admin_client_a.get(PAGE, {"month": INC_CYCLE, "q": "x" * 300})
    assert nothing.status_code == 200 and nothing.context["q"] == "x" * 64
    assert all(not s.rules for s in nothing.context["sections"])


def test_a_month_without_policy_and_a_bad_month(inc_world, inc_policies, admin_client_a):
    empty = admin_client_a.get(PAGE, {"month": "2026-01"})
    assert empty.status_code == 200 and empty.content.decode().count('class="empty no-policy"') == 2
    for bad in ("2026-13", "March", "2026-03-01", "' OR 1=1"):
        response = admin_client_a.get(PAGE, {"month": bad})
        assert response.status_code == 400 and 'id="month-error"' in response.content.decode()
        assert response.context["month"] == timezone.localdate().strftime("%Y-%m")


def test_an_account_manager_sees_no_policies_unless_a_role_grants_them(inc_world, inc_policies):
    tenant = inc_world.tenant
    assert login_client(tenant.member.user).get(PAGE).status_code == 403
    role = RoleFactory(partner=tenant.partner, permissions=["incentives.view"])
    reader = MemberFactory(partner=tenant.partner, user__username="a.incentives", roles=[role])
    assert login_client(reader.user).get(PAGE, {"month": INC_CYCLE}).status_code == 200
    assert login_client(inc_world.tenant.admin.user).get(PAGE).status_code == 200
    assert Client().get(PAGE).status_code == 302  # to the sign-in page


def test_the_page_runs_a_constant_number_of_queries(inc_world, inc_policies, admin_client_a,
                                                    django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as few:
        admin_client_a.get(PAGE, {"month": INC_CYCLE})
    for n in range(20):
        service = ServiceType.objects.create(code=f"hws.service.type.x{n}", name=f"服务{n}")
        PolicyServiceRule.objects.create(policy=inc_policies.resale, service_type=service,
                                         incentive_policy=PolicyCode.PERFORMANCE_ONLY)
        PolicyTier.objects.create(policy=inc_policies.referral, min_performance=D(1000 + n), extra_rate=D("0.01"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client_a.get(PAGE, {"month": INC_CYCLE})
    assert len(response.context["sections"][1].rules) == 21
