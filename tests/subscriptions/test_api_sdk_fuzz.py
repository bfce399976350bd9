"""The subscription endpoints fuzzed with a CUSTOMER's key (tests/security/test_schema_fuzz.py signs with a
partner's, which these endpoints refuse before reading anything): generated bodies against a live server
whose customer owns yearly/monthly resources — no server error, every answer as the schema says."""

import hypothesis
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ..security.test_schema_fuzz import SdkSignature
from .api_sdk import buy, world_fixture  # noqa: F401 — the fixture world

pytestmark = pytest.mark.django_db(transaction=True)

OPERATIONS = {"renewal_resources", "set_resources_renew_config", "auto_renewal_resources",
              "cancel_auto_renewal_resources", "cancel_resources_subscription", "update_period_to_on_demand",
              "update_period_to_on_demand_instantly", "show_refund_order_details"}
FUZZ = hypothesis.settings(max_examples=40, deadline=None, derandomize=True, database=None,
                           suppress_health_check=list(hypothesis.HealthCheck))


def test_no_subscription_operation_fails_on_generated_input_from_a_customer(live_server, world):
    buy(world)
    signer = SdkSignature(world.customer_key.ak, world.customer_secret, world.resale.domain_id)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.definition.raw.get("operationId") in OPERATIONS]
    assert {op.definition.raw["operationId"] for op in operations} == OPERATIONS

    for operation in operations:

        @FUZZ
        @hypothesis.given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(base_url=live_server.url, auth=signer)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            assert response.status_code in (200, 204, 400, 404), response.text

        fuzz()
