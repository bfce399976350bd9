"""外呼 on PostgreSQL (real row locks): while the provider dials, the lead's row is not locked — a colleague's
write on the lead does not wait for the call."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from expansion import calls, leads_calls
from expansion.choices import CallOutcome
from expansion.models import Call, Lead

from ..conftest import actor_of, build_tenant
from .leads_fixtures import in_plan, make_lead

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class LockProbe(calls.CallBackend):
    """While it "rings", another connection tries to lock the lead's row without waiting."""

    lead_pk = None
    outcome = None

    def place(self, *, number, caller, reference_hint=""):
        def probe():
            try:
                with transaction.atomic():
                    Lead.objects.select_for_update(nowait=True).get(pk=LockProbe.lead_pk)
                LockProbe.outcome = "free"
            except DatabaseError:
                LockProbe.outcome = "locked"
            finally:
                connections.close_all()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(30)
        return calls.CallResult(CallOutcome.CONNECTED, "probe-1", 5)


def test_the_leads_row_is_not_locked_while_the_provider_dials(settings):
    settings.EXPANSION_CALL_BACKEND = "tests.expansion.test_leads_pg.LockProbe"
    t = build_tenant("a")
    in_plan(t.partner)
    lead = make_lead(t.partner, 1)
    LockProbe.lead_pk, LockProbe.outcome = lead.pk, None

    leads_calls.place_call(actor_of(t.admin), lead=lead)

    assert LockProbe.outcome == "free"
    assert Call.objects.get().lead_id == lead.pk
