"""The contracting-entity (签约主体) switch at the effective time: the task, idempotent; at signing when already
effective; a superseded version does not overwrite a newer entity; online recharge follows the entity."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from billing.errors import BillingCodes
from billing.services import can_recharge
from events.models import Event
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.models import OperationLog, Partner
from programs import agreements, tasks
from programs.catalogue import SOLUTION_PROVIDER
from programs.models import Agreement, AgreementSignature, Program
from tests.conftest import actor_of

CHINA = ZoneInfo("Asia/Shanghai")
OLD_ENTITY = "华为技术有限公司"        # not one of billing.services.RECHARGE_ENTITIES
NEW_ENTITY = "华为云计算技术有限公司"  # one of them


def at(*parts):
    return datetime(*parts, tzinfo=CHINA)


def agreement(*, version="2026.1", entity=NEW_ENTITY, effective=at(2026, 4, 1)):
    return Agreement.objects.create(
        program=Program.objects.get(code=SOLUTION_PROVIDER), title="签约主体变更协议", version=version, body="…",
        contracting_entity=entity, effective_at=effective, published_at=at(2026, 3, 1))


def entity(partner) -> str:
    return Partner.objects.get(pk=partner.pk).contracting_entity


def recharge_refused_message():
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(str(MESSAGES[BillingCodes.RECHARGE_NOT_ALLOWED])))


@pytest.fixture
def old_entity(tenant_a):
    tenant_a.partner.contracting_entity = OLD_ENTITY
    tenant_a.partner.save()


def test_the_entity_switches_at_the_effective_time_once_and_recharge_follows(
        tenant_a, programmes, old_entity, admin_client_a):
    doc = agreement()
    with time_machine.travel(at(2026, 3, 10, 9), tick=False) as travel:
        agreements.sign(actor_of(tenant_a.admin), agreement_id=doc.pk, accepted=True)
        assert tasks.apply_contracting_entities() == 0                       # not yet effective
        assert entity(tenant_a.partner) == OLD_ENTITY
        # before: billing refuses online recharge for the old entity (its own rule and its page)
        assert not can_recharge(Partner.objects.get(pk=tenant_a.partner.pk))
        assert recharge_refused_message() in admin_client_a.get("/billing/recharge/").content.decode()

        travel.move_to(at(2026, 3, 31, 23, 59, 59))
        assert tasks.apply_contracting_entities() == 0
        travel.move_to(at(2026, 4, 1, 0, 3))
        assert tasks.apply_contracting_entities() == 1
        assert tasks.apply_contracting_entities() == 0                       # a second run changes nothing
        travel.move_to(at(2026, 4, 2))
        assert agreements.apply_due() == 0                                   # nor a late one

    assert entity(tenant_a.partner) == NEW_ENTITY
    signature = AgreementSignature.objects.get()
    assert signature.applied_at == at(2026, 4, 1, 0, 3)
    assert OperationLog.objects.filter(action="programs.contracting_entity", partner=tenant_a.partner).count() == 1
    [event] = Event.objects.filter(type="agreement.entity_changed")
    assert event.data["old_entity"] == OLD_ENTITY and event.data["new_entity"] == NEW_ENTITY
    # after: billing allows it for the new entity
    assert can_recharge(Partner.objects.get(pk=tenant_a.partner.pk))
    assert recharge_refused_message() not in admin_client_a.get("/billing/recharge/").content.decode()


def test_an_unsigned_agreement_changes_nothing(tenant_a, programmes, old_entity):
    agreement()
    with time_machine.travel(at(2026, 5, 1), tick=False):
        assert tasks.apply_contracting_entities() == 0
    assert entity(tenant_a.partner) == OLD_ENTITY


def test_signing_after_the_effective_time_switches_at_once(tenant_a, programmes, old_entity):
    doc = agreement()
    with time_machine.travel(at(2026, 4, 5, 10), tick=False):
        signature = agreements.sign(actor_of(tenant_a.admin), agreement_id=doc.pk, accepted=True)
        assert entity(tenant_a.partner) == NEW_ENTITY
        assert AgreementSignature.objects.get(pk=signature.pk).applied_at == at(2026, 4, 5, 10)
        assert tasks.apply_contracting_entities() == 0
    assert OperationLog.objects.filter(action="programs.contracting_entity").count() == 1
    assert Event.objects.filter(type="agreement.entity_changed").count() == 1


def test_a_superseded_version_signed_late_does_not_overwrite_the_newer_entity(tenant_a, programmes, old_entity):
    older = agreement(version="2025.1", entity="华为软件技术有限公司", effective=at(2025, 1, 1))
    newer = agreement(version="2026.1")
    with time_machine.travel(at(2026, 4, 5), tick=False):
        agreements.sign(actor_of(tenant_a.admin), agreement_id=newer.pk, accepted=True)
        with pytest.raises(DomainError) as refused:          # superseded: no longer offered for signing
            agreements.sign(actor_of(tenant_a.admin), agreement_id=older.pk, accepted=True)
        assert refused.value.code == Codes.NOT_FOUND
    assert entity(tenant_a.partner) == NEW_ENTITY
    assert list(AgreementSignature.objects.values_list("agreement_id", flat=True)) == [newer.pk]
    assert not AgreementSignature.objects.filter(applied_at__isnull=True).exists()
    assert Event.objects.filter(type="agreement.entity_changed").count() == 1


# Two versions of the solution-provider agreement: v1 moves partners to 华为技术有限公司 (no online recharge),
# v2 a month later to 华为云计算技术有限公司.

@pytest.fixture
def versions(programmes):
    v1 = agreement(version="v1", entity=OLD_ENTITY, effective=at(2026, 1, 1))
    v2 = agreement(version="v2", entity=NEW_ENTITY, effective=at(2026, 2, 1))
    return v1, v2


def banner_texts(client) -> list[str]:
    body = client.get("/").content.decode()
    return [html.unescape(re.sub(r"<[^>]+>", "", p))
            for p in re.findall(r'<p class="banner[^"]*"[^>]*>(.*?)</p>', body, re.S)]


def test_a_superseded_version_is_no_longer_required_nor_in_the_banner(tenant_a, versions, admin_client_a):
    v1, v2 = versions
    admin_client_a.cookies["django_language"] = "en"
    with time_machine.travel(at(2026, 1, 15, 9), tick=False) as travel:
        # v1 is in effect, v2 not yet: both are to sign
        assert set(agreements.required_agreements(tenant_a.partner)) == {v1, v2}
        assert len(banner_texts(admin_client_a)) == 2

        travel.move_to(at(2026, 2, 5, 9))          # v2 took effect: v1 is history
        assert list(agreements.required_agreements(tenant_a.partner)) == [v2]
        [invite] = banner_texts(admin_client_a)
        assert NEW_ENTITY in invite and OLD_ENTITY not in invite
        agreements.sign(actor_of(tenant_a.admin), agreement_id=v2.pk, accepted=True)   # applied at once
        assert entity(tenant_a.partner) == NEW_ENTITY
        assert banner_texts(admin_client_a) == []   # nothing invites to sign v1 any more

        # and v1 cannot be signed (so it cannot move the partner back to 华为技术有限公司)
        assert admin_client_a.get(f"/programs/agreements/{v1.pk}/").status_code == 404
        with pytest.raises(DomainError) as refused:
            agreements.sign(actor_of(tenant_a.admin), agreement_id=v1.pk, accepted=True)
        assert refused.value.code == Codes.NOT_FOUND
        listed = admin_client_a.get("/programs/agreements/").content.decode()
        assert f'data-agreement="{v2.pk}"' in listed and f'data-agreement="{v1.pk}"' not in listed
    assert entity(tenant_a.partner) == NEW_ENTITY and can_recharge(Partner.objects.get(pk=tenant_a.partner.pk))


def test_a_late_run_never_moves_a_partner_back_to_an_older_entity(tenant_a, versions):
    v1, v2 = versions
    tenant_a.partner.contracting_entity = NEW_ENTITY     # already on the newer entity
    tenant_a.partner.save()
    with time_machine.travel(at(2025, 12, 20, 9), tick=False) as travel:
        signature = agreements.sign(actor_of(tenant_a.admin), agreement_id=v1.pk, accepted=True)  # before 1 Jan
        travel.move_to(at(2026, 2, 5, 0, 5))        # the switch did not run until v2 (unsigned) took effect
        assert tasks.apply_contracting_entities() == 0
        assert tasks.apply_contracting_entities() == 0
    assert entity(tenant_a.partner) == NEW_ENTITY
    assert can_recharge(Partner.objects.get(pk=tenant_a.partner.pk))
    signature.refresh_from_db()
    assert signature.applied_at == at(2026, 2, 5, 0, 5)      # claimed once, changing nothing
    log = OperationLog.objects.get(action="programs.contracting_entity")
    assert log.detail["superseded"] is True and log.detail["changed"] is False
    assert not Event.objects.filter(type="agreement.entity_changed").exists()
