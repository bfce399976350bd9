"""签署协议 at once, on PostgreSQL (real row locks): concurrent submits sign once and never fail; concurrent
runs of the contracting-entity switch apply a signature once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event
from partnercenter.models import OperationLog, Partner
from programs import agreements
from programs.catalogue import SOLUTION_PROVIDER, seed_definitions
from programs.models import Agreement, AgreementSignature, Program
from tests.conftest import actor_of, build_tenant
from tests.trade.test_concurrency_pg import at_once

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ENTITY = "华为云计算技术（香港）有限公司"


@pytest.fixture
def world():
    seed_definitions()
    tenant = build_tenant("a")
    midnight = timezone.localtime(timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    doc = Agreement.objects.create(
        program=Program.objects.get(code=SOLUTION_PROVIDER), title="签约主体变更协议", version="1", body="…",
        contracting_entity=ENTITY, effective_at=midnight - timedelta(days=1), published_at=timezone.now())
    return tenant, doc


def test_concurrent_submits_sign_once(world):
    tenant, doc = world
    outcomes = at_once([lambda: agreements.sign(actor_of(tenant.admin), agreement_id=doc.pk, accepted=True)] * 4)
    assert all(isinstance(o, AgreementSignature) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {AgreementSignature.objects.get().pk}
    assert Partner.objects.get(pk=tenant.partner.pk).contracting_entity == ENTITY
    assert Event.objects.filter(type="agreement.entity_changed").count() == 1
    assert OperationLog.objects.filter(action="programs.contracting_entity").count() == 1


def test_concurrent_switch_runs_apply_once(world):
    tenant, doc = world
    AgreementSignature.objects.create(agreement=doc, partner=tenant.partner, signer_name="x",
                                      signed_at=timezone.now() - timedelta(days=2))
    outcomes = at_once([agreements.apply_due] * 4)
    assert sorted(outcomes) == [0, 0, 0, 1]
    assert Partner.objects.get(pk=tenant.partner.pk).contracting_entity == ENTITY
    assert OperationLog.objects.filter(action="programs.contracting_entity").count() == 1
    assert Event.objects.filter(type="agreement.entity_changed").count() == 1


def test_two_first_saves_of_the_business_information_at_once_create_one(world):
    from programs import certification
    from programs.models import BusinessCertification
    from tests.programs.test_agreements_certification import ACCOUNT, DETAILS

    tenant, _doc = world
    outcomes = at_once([lambda: certification.save_details(actor_of(tenant.admin), bank_account=ACCOUNT, **DETAILS)]
                       * 3)
    assert all(isinstance(o, BusinessCertification) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {BusinessCertification.objects.get(partner=tenant.partner).pk}
    assert OperationLog.objects.filter(action="programs.certification_save", result="success").count() == 3
