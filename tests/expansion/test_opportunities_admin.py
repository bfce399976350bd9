"""The operators' side of 机会点 on a big table, and whose customer an HO may name: the admin list never counts
the whole table nor scans it for dates, big tables are picked by id; an HO naming a customer account associated
with another partner is refused (admin, service, platform key), in the operation log."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from expansion import opportunities
from expansion.admin_opportunities import OpportunityAdmin
from expansion.errors_opportunities import OpportunityCodes
from expansion.models import Opportunity
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import CustomerFactory
from ..signed import call
from .opportunities_fixtures import make_operator, share

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/expansion/opportunity/"


@pytest.fixture
def operator(db):
    return make_operator()


def test_the_admin_list_counts_only_the_filtered_rows_and_has_no_date_drilldown(tenant_a, operator):
    for _ in range(3):
        share(operator, tenant_a.partner, customer=tenant_a.resale)
    client = login_client(operator)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST + "?status__exact=pending")
    counts = [q["sql"] for q in queries.captured_queries
              if "COUNT(" in q["sql"].upper() and "expansion_opportunity" in q["sql"]]
    dates = [q["sql"] for q in queries.captured_queries if "TRUNC" in q["sql"].upper()]  # date_hierarchy

    assert response.status_code == 200
    assert len(counts) == 1, counts            # the filtered count only, never the whole table's
    assert dates == [] and 'class="xfull"' not in response.content.decode()
    assert OpportunityAdmin.show_full_result_count is False and OpportunityAdmin.date_hierarchy is None
    assert set(OpportunityAdmin.raw_id_fields) >= {"partner", "customer", "enterprise"}
    add = client.get(CHANGELIST + "add/").content.decode()
    for name in ("partner", "customer", "enterprise"):   # picked by id, not a dropdown of the table
        assert re.search(rf'<select[^>]+name="{name}"', add) is None, name
        assert re.search(rf'<input[^>]+name="{name}"[^>]+vForeignKeyRawIdAdminField', add), name


def test_an_ho_naming_another_partners_customer_is_refused(tenant_a, tenant_b, operator):
    actor = actor_of(operator)
    free = CustomerFactory()   # a cloud account associated with nobody yet

    with pytest.raises(DomainError) as refused:
        share(operator, tenant_a.partner, customer=tenant_b.resale)
    own = share(operator, tenant_a.partner, customer=tenant_a.resale)
    unassociated = opportunities.share_opportunity(actor, partner=tenant_a.partner, name="x", customer_name="y",
                                                   customer=free)
    by_id = opportunities.share_opportunity(actor, partner=tenant_a.partner, name="x", customer_name="y",
                                            customer_id=tenant_a.referral.domain_id)
    response = login_client(operator).post(CHANGELIST + "add/", {
        "partner": tenant_a.partner.pk, "name": "政务云项目", "customer_name": "某市大数据局",
        "customer": tenant_b.referral.pk, "amount": ""}, follow=True)

    assert refused.value.code == OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER
    assert refused.value.status == 409
    assert (own.customer, unassociated.customer, by_id.customer) == (tenant_a.resale, free, tenant_a.referral)
    assert str(refused.value.message) in response.content.decode()
    assert set(Opportunity.objects.values_list("customer_id", flat=True)) == {
        tenant_a.resale.pk, free.pk, tenant_a.referral.pk}
    failures = OperationLog.objects.filter(action="expansion.opportunity_share", result="failure")
    assert list(failures.values_list("partner_id", "error_code")) == [
        (tenant_a.partner.pk, OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER)] * 2


def test_the_platform_key_may_not_name_another_partners_customer_and_its_refusals_are_logged(tenant_a, tenant_b):
    from ..bills.customer_helpers import platform_key

    key, secret = platform_key("opportunities.platform")

    def share_via_api(**body):
        response = call(Client(), "POST", "/v1/opportunities", ak=key.ak, sk=secret, domain_id="platform",
                        json={"name": "运营商 5G 专网", "customer_name": "某运营商省公司", **body})
        return response.status_code, json.loads(response.content)["error_code"]

    assert share_via_api(partner_id=tenant_a.partner.domain_id, customer_id=tenant_b.resale.domain_id) == (
        409, OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER)
    assert share_via_api(partner_id=tenant_a.partner.domain_id, customer_id="f" * 32) == (404, "CBC.0156")
    assert share_via_api(partner_id="0" * 32) == (404, "CBC.0156")
    assert share_via_api() == (400, "CBC.0100")
    assert not Opportunity.objects.exists()
    failures = OperationLog.objects.filter(action="expansion.opportunity_share", access_key=key.ak)
    assert sorted(failures.values_list("result", "error_code")) == sorted([
        ("failure", OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER), ("failure", "CBC.0156"), ("failure", "CBC.0156"),
        ("failure", "CBC.0100")])
