"""外呼 and masking: the call backend gets the real number, the partner gets the outcome; a Call and a follow-up
are recorded; partners outside marketing plan 2.0 do not call; the console backend is the default and a system
check warns about it with DEBUG off."""

import pytest
from django.test import override_settings

from expansion import calls, leads_calls
from expansion.checks_leads import console_call_backend
from expansion.choices import CallOutcome, LeadStatus
from expansion.errors_leads import LeadCodes
from expansion.masking import contacts_masked, mask_email, mask_phone
from expansion.models import Call, FollowUp
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from . import leads_fixtures
from .leads_fixtures import PHONE, actor_of, in_plan

leads_tenant, other_tenant, outbox_backend = (  # the fixtures
    leads_fixtures.leads_tenant, leads_fixtures.other_tenant, leads_fixtures.outbox_backend)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value,masked", [
    ("13912345678", "139****5678"), ("+86 139 1234 5678", "+86****5678"), ("010-8888", "01****88"), ("12345", "****"),
    ("", ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked
    assert not value or value not in mask_phone(value)


@pytest.mark.parametrize("value,masked", [
    ("zhang.wei@contoso.cn", "zh****@contoso.cn"), ("li@x.cn", "l****@x.cn"), ("no-at-sign", "n****"), ("", ""),
])
def test_mask_email(value, masked):
    assert mask_email(value) == masked


def test_contacts_are_masked_only_in_the_plan(leads_tenant):
    t = leads_tenant
    assert contacts_masked(t.partner) is False
    assert contacts_masked(in_plan(t.partner)) is True
    assert contacts_masked(in_plan(t.partner, on=False)) is False
    assert contacts_masked(None) is False


def test_a_call_goes_to_the_backend_with_the_real_number_and_is_recorded(leads_tenant, outbox_backend):
    t = leads_tenant
    in_plan(t.partner)
    call = leads_calls.place_call(actor_of(t.admin), lead=t.lead, note="约了下周拜访")

    assert [c["number"] for c in outbox_backend] == [PHONE]
    assert (call.outcome, call.duration_seconds, call.reference, call.member, call.backend) == (
        CallOutcome.CONNECTED, 42, "outbox-1", t.admin, "expansion.calls.OutboxCallBackend")
    follow_up = FollowUp.objects.get(lead=t.lead)
    assert follow_up.method == "call" and "约了下周拜访" in follow_up.note
    t.lead.refresh_from_db()
    assert t.lead.status == LeadStatus.FOLLOWING
    log = OperationLog.objects.get(action="expansion.lead_call")
    assert log.detail["outcome"] == "connected" and PHONE not in str(log.detail)
    assert PHONE not in follow_up.note


def test_an_unanswered_call_is_recorded_with_its_outcome(leads_tenant, outbox_backend):
    t = leads_tenant
    in_plan(t.partner)
    calls.OutboxCallBackend.outcome = CallOutcome.NO_ANSWER
    call = leads_calls.place_call(actor_of(t.admin), lead=t.lead)
    assert (call.outcome, call.duration_seconds) == (CallOutcome.NO_ANSWER, 0)


def _code(call):
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_calls_are_for_partners_in_the_plan_with_an_open_lead_and_a_phone(leads_tenant, other_tenant, outbox_backend):
    t = leads_tenant
    admin = actor_of(t.admin)
    assert _code(lambda: leads_calls.place_call(admin, lead=t.lead)) == LeadCodes.CALLS_NOT_IN_PLAN
    in_plan(t.partner)
    admin = actor_of(t.admin)
    assert _code(lambda: leads_calls.place_call(actor_of(t.member), lead=t.lead)) == Codes.FORBIDDEN
    assert _code(lambda: leads_calls.place_call(admin, lead=other_tenant.lead)) == Codes.NOT_FOUND
    t.lead.phone = ""
    t.lead.save()
    assert _code(lambda: leads_calls.place_call(admin, lead=t.lead)) == LeadCodes.NO_PHONE
    t.lead.phone, t.lead.status = PHONE, LeadStatus.INVALID
    t.lead.save()
    assert _code(lambda: leads_calls.place_call(admin, lead=t.lead)) == LeadCodes.LEAD_CLOSED
    assert outbox_backend == [] and not Call.objects.exists()


class Broken(calls.CallBackend):
    def place(self, *, number, caller, reference_hint=""):
        raise RuntimeError("provider down")


@pytest.mark.parametrize("path", ["tests.expansion.test_leads_calls.Broken", "no.such.Backend"])
def test_a_backend_that_cannot_call_records_nothing(leads_tenant, settings, path):
    t = leads_tenant
    in_plan(t.partner)
    settings.EXPANSION_CALL_BACKEND = path
    assert _code(lambda: leads_calls.place_call(actor_of(t.admin), lead=t.lead)) == LeadCodes.CALLS_UNAVAILABLE
    assert not Call.objects.exists() and not FollowUp.objects.exists()
    assert OperationLog.objects.get(action="expansion.lead_call").result == "failure"


def test_the_console_backend_is_the_default_and_answers_connected(leads_tenant, settings, caplog):
    t = leads_tenant
    in_plan(t.partner)
    assert settings.EXPANSION_CALL_BACKEND == "expansion.calls.ConsoleCallBackend"
    call = leads_calls.place_call(actor_of(t.admin), lead=t.lead)
    assert call.outcome == CallOutcome.CONNECTED and call.reference.startswith("console-")
    assert PHONE in caplog.text  # the backend (the server's log), never the partner


def test_a_system_check_warns_about_the_console_backend_with_debug_off():
    with override_settings(DEBUG=False, EXPANSION_CALL_BACKEND="expansion.calls.ConsoleCallBackend"):
        assert [w.id for w in console_call_backend(None)] == ["expansion.W320"]
    with override_settings(DEBUG=True):
        assert console_call_backend(None) == []
    with override_settings(DEBUG=False, EXPANSION_CALL_BACKEND="expansion.calls.OutboxCallBackend"):
        assert console_call_backend(None) == []
