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


# ---------------------------------------------------------------------------------------------------------
# The provider dials outside any transaction; the call is recorded afterwards on the lead as it is then
# ---------------------------------------------------------------------------------------------------------

class Watching(calls.CallBackend):
    """Records, when it dials, whether a transaction is open on the connection of the request."""

    seen: list = []
    during = None  # run while it rings (a colleague changing the lead)

    def place(self, *, number, caller, reference_hint=""):
        from django.db import connection
        Watching.seen.append(connection.in_atomic_block)
        if Watching.during is not None:
            Watching.during()
        return calls.CallResult(CallOutcome.CONNECTED, "watch-1", 30)


@pytest.fixture
def watching(settings):
    settings.EXPANSION_CALL_BACKEND = "tests.expansion.test_leads_calls.Watching"
    Watching.seen, Watching.during = [], None
    yield Watching
    Watching.seen, Watching.during = [], None


@pytest.mark.django_db(transaction=True)
def test_the_provider_dials_outside_any_transaction(leads_tenant, watching):
    t = leads_tenant
    in_plan(t.partner)
    call = leads_calls.place_call(actor_of(t.admin), lead=t.lead, note="n")

    assert watching.seen == [False]  # no transaction, so no row lock and no connection held in one
    assert (call.reference, call.lead.status) == ("watch-1", LeadStatus.FOLLOWING)
    assert FollowUp.objects.filter(lead=t.lead, method="call").count() == 1
    assert list(OperationLog.objects.filter(action="expansion.lead_call").values_list("result", flat=True)) == [
        "success"]  # one call, one log row


def test_a_lead_closed_while_the_phone_rang_keeps_its_status_and_records_the_call(leads_tenant, watching):
    t = leads_tenant
    in_plan(t.partner)
    watching.during = lambda: type(t.lead).objects.filter(pk=t.lead.pk).update(status=LeadStatus.INVALID)

    call = leads_calls.place_call(actor_of(t.admin), lead=t.lead)

    t.lead.refresh_from_db()
    assert t.lead.status == LeadStatus.INVALID  # re-read after the call: not overwritten with FOLLOWING
    assert Call.objects.get().pk == call.pk and FollowUp.objects.get().method == "call"


def test_a_lead_reassigned_outside_the_callers_team_while_it_rang_still_gets_its_call(leads_tenant, watching):
    from ..factories import MemberFactory, RoleFactory

    t = leads_tenant
    in_plan(t.partner)
    role = RoleFactory(partner=t.partner, permissions=["expansion.view", "expansion.manage"])
    caller = MemberFactory(partner=t.partner, roles=[role])  # an account manager: its team's leads, unassigned ones
    watching.during = lambda: type(t.lead).objects.filter(pk=t.lead.pk).update(owner=t.admin)

    call = leads_calls.place_call(actor_of(caller), lead=t.lead)
    assert Call.objects.get().pk == call.pk and call.member == caller


# ---------------------------------------------------------------------------------------------------------
# A call budget per member
# ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def call_rate(settings):
    from django.core.cache import cache

    cache.clear()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**rates, leads_calls.CALL_SCOPE: "2/hour"}}
    yield
    cache.clear()


def test_calls_are_throttled_per_member(leads_tenant, outbox_backend, call_rate):
    from ..factories import MemberFactory

    t = leads_tenant
    in_plan(t.partner)
    admin = actor_of(t.admin)
    leads_calls.place_call(admin, lead=t.lead)
    leads_calls.place_call(admin, lead=t.lead)

    assert _code(lambda: leads_calls.place_call(admin, lead=t.lead)) == Codes.THROTTLED
    assert len(outbox_backend) == 2 and Call.objects.count() == 2  # the third never reached the provider
    log = OperationLog.objects.filter(action="expansion.lead_call").order_by("-id").first()
    assert (log.result, log.error_code) == ("failure", Codes.THROTTLED)
    # another member has a budget of its own
    colleague = MemberFactory(partner=t.partner, roles=[t.admin_role])
    leads_calls.place_call(actor_of(colleague), lead=t.lead)
    assert len(outbox_backend) == 3


def test_a_refused_call_spends_no_budget(leads_tenant, outbox_backend, call_rate):
    t = leads_tenant
    admin = actor_of(t.admin)
    for _attempt in range(3):  # not in the plan: refused before the budget
        assert _code(lambda: leads_calls.place_call(admin, lead=t.lead)) == LeadCodes.CALLS_NOT_IN_PLAN
    in_plan(t.partner)
    leads_calls.place_call(actor_of(t.admin), lead=t.lead)
    assert len(outbox_backend) == 1
