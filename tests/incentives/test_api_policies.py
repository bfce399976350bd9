"""GET /v2/products/incentive-discount-policies through the official SDK (huaweicloudsdkbss BssClient
.list_incentive_discount_policies) on a live server: each service type's policy code under the caller's policy
for the month (the resale policy deciding when both apply), allow_discount from the catalogue, the
service_type_code filter (an empty string filters too), offset/limit with exact totals, a month without policy,
and the refusals: a malformed or missing month, a member without incentives.view."""

import pytest
from huaweicloudsdkbss.v2 import ListIncentiveDiscountPoliciesRequest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from incentives.choices import PolicyCode

from ..factories import make_access_key
from ..signed import bss_client
from .conftest import EC2, EVS, INC_CYCLE, OBS, make_policy

pytestmark = pytest.mark.django_db(transaction=True)


def sdk_for(live_server, user, partner):
    key, secret = make_access_key(user, partner=partner)
    return bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=partner.domain_id)


def listed(sdk, **params):
    response = sdk.list_incentive_discount_policies(ListIncentiveDiscountPoliciesRequest(**params))
    return response.total_count, [(p.service_type_code, p.incentive_policy, p.allow_discount)
                                  for p in response.policies]


def refused(call) -> tuple[int, str]:
    with pytest.raises(ClientRequestException) as error:
        call()
    return error.value.status_code, error.value.error_code


def test_each_service_type_under_the_resale_policy_of_the_month(live_server, inc_world, inc_policies):
    sdk = sdk_for(live_server, inc_world.tenant.admin.user, inc_world.partner)

    # partner A joined the programme: its resale policy (EVS 特定产品) decides over the referral one (OBS 2)
    assert listed(sdk, time=INC_CYCLE) == (3, [(EC2, "0", "YES"), (EVS, "1", "NO"), (OBS, "0", "NO")])
    response = sdk.list_incentive_discount_policies(ListIncentiveDiscountPoliciesRequest(time=INC_CYCLE))
    assert response.policies[0].service_type_name == "弹性云服务器"
    # paging: exact totals
    assert listed(sdk, time=INC_CYCLE, offset=1, limit=1) == (3, [(EVS, "1", "NO")])
    assert listed(sdk, time=INC_CYCLE, offset=3) == (3, [])
    # the filter: one code; an empty string is a filter that matches nothing
    assert listed(sdk, time=INC_CYCLE, service_type_code=OBS) == (1, [(OBS, "0", "NO")])
    assert listed(sdk, time=INC_CYCLE, service_type_code="") == (0, [])
    # a month before every policy: nothing earns
    assert listed(sdk, time="2026-01") == (3, [(EC2, "2", "YES"), (EVS, "2", "NO"), (OBS, "2", "NO")])


def test_a_partner_outside_the_programme_reads_its_referral_policy(live_server, inc_world, inc_policies, tenant_b):
    sdk = sdk_for(live_server, tenant_b.admin.user, tenant_b.partner)
    assert listed(sdk, time=INC_CYCLE) == (3, [(EC2, "0", "YES"), (EVS, "0", "NO"), (OBS, "2", "NO")])
    # a general resale policy for everyone from April: it decides for B from then on
    make_policy("resale-general", association_type="2", valid_from="2026-04",
                rules=[(EC2, PolicyCode.PERFORMANCE_ONLY, None, None)])
    assert listed(sdk, time="2026-04") == (3, [(EC2, "13", "YES"), (EVS, "0", "NO"), (OBS, "0", "NO")])
    assert listed(sdk, time=INC_CYCLE)[1][2] == (OBS, "2", "NO")


def test_refusals(live_server, inc_world, inc_policies):
    sdk = sdk_for(live_server, inc_world.tenant.admin.user, inc_world.partner)
    assert refused(lambda: listed(sdk, time="2026-13")) == (400, "CBC.0100")
    assert refused(lambda: listed(sdk, time="2026-3")) == (400, "CBC.0100")
    assert refused(lambda: listed(sdk)) == (400, "CBC.0100")
    assert refused(lambda: listed(sdk, time=INC_CYCLE, limit=0)) == (400, "CBC.0100")
    # an account manager's key: customers.view only, no incentives.view
    manager = sdk_for(live_server, inc_world.tenant.member.user, inc_world.partner)
    assert refused(lambda: listed(manager, time=INC_CYCLE)) == (403, "CBC.0151")
