"""The demo's opportunities: HO due today, tomorrow, in two and three working days and overdue, POs in every
state, and seeding twice adds nothing."""

import pytest
from django.utils import timezone

from expansion import demo_opportunities
from expansion.models import Opportunity
from expansion.selectors_opportunities import with_countdown
from partnercenter import workdays

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_countdown_state_and_seeds_once(tenant_a, tenant_b):
    ctx = {"partners": {"bj": tenant_a.partner, "hd": tenant_b.partner}, "members": {}}
    demo_opportunities.seed(ctx)
    count = Opportunity.objects.count()
    demo_opportunities.seed(ctx)

    assert Opportunity.objects.count() == count
    rows = with_countdown(Opportunity.objects.filter(partner=tenant_a.partner, origin="HO"))
    states = {row.countdown.state if row.countdown.state != "days" else str(row.countdown.working_days_left)
              for row in rows if row.countdown is not None}
    expected = {"1", "2", "3", "overdue"}
    if workdays.is_working_day(workdays.local_date(timezone.now())):
        expected.add("due_today")
    assert expected <= states, states
    po_statuses = set(Opportunity.objects.filter(partner=tenant_a.partner, origin="PO").values_list("status", flat=True))
    assert po_statuses == {"pending", "approved", "rejected", "released"}
    assert Opportunity.objects.filter(partner=tenant_a.partner, origin="PO", customer=None, status="pending").exists()
