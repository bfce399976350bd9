"""Shared helpers of the leads tests (线索管理): tenants with leads, 营销计划2.0, a platform key, the outbox call
backend. Import what a test needs: `from .leads_fixtures import ...`."""

import pytest

from expansion import calls
from expansion.choices import LeadSource
from expansion.models import ExpansionProfile, Lead

from ..bills.ingest_helpers import platform_key  # noqa: F401  (re-exported: an operator's platform key)
from ..conftest import actor_of, build_tenant

__all__ = ["PHONE", "EMAIL", "make_lead", "in_plan", "outbox_backend", "leads_tenant", "other_tenant", "actor_of",
           "platform_key"]

PHONE = "13912345678"
EMAIL = "zhang.wei@contoso.cn"


def make_lead(partner, n=0, **fields) -> Lead:
    values = {"source": LeadSource.PARTNER, "company_name": f"线索公司{n}", "contact_name": f"联系人{n}",
              "phone": PHONE, "email": EMAIL, "region": "北京", "industry": "制造"}
    values.update(fields)
    return Lead.objects.create(partner=partner, **values)


def in_plan(partner, on=True):
    """Put the partner in marketing plan 2.0 (contacts masked, 外呼 offered)."""
    ExpansionProfile.objects.update_or_create(partner=partner, defaults={"marketing_plan_v2": on})
    partner._state.fields_cache.pop("expansion_profile", None)  # read afresh by contacts_masked
    return partner


@pytest.fixture
def outbox_backend(settings):
    settings.EXPANSION_CALL_BACKEND = "expansion.calls.OutboxCallBackend"
    calls.outbox.clear()
    calls.OutboxCallBackend.outcome = "connected"
    yield calls.outbox
    calls.outbox.clear()
    calls.OutboxCallBackend.outcome = "connected"


@pytest.fixture
def leads_tenant(db):
    """Tenant "a" with an administrator (every right), an account manager (customers.view only) and a lead."""
    t = build_tenant("a")
    t.lead = make_lead(t.partner, 1)
    return t


@pytest.fixture
def other_tenant(db):
    t = build_tenant("b")
    t.lead = make_lead(t.partner, 2, company_name="别家线索公司", phone="13700001111", email="other@example.org")
    return t
