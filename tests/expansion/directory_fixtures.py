"""Fixtures of the directory tests (企业百科 and 报备): enterprises with valid credit codes, a reseller of a
distributor, members who may only view."""

from itertools import count

from expansion.demo_directory import credit_code
from expansion.models import Enterprise

from ..conftest import build_tenant
from ..factories import MemberFactory, RoleFactory

__all__ = ["make_enterprise", "code", "viewer_of", "build_reseller"]

_serial = count(1)


def code(serial=None) -> str:
    return credit_code("330106", next(_serial) if serial is None else serial)


def make_enterprise(name="杭州测试科技有限公司", **fields) -> Enterprise:
    fields.setdefault("credit_code", code())
    return Enterprise.objects.create(name=name, **fields)


def viewer_of(tenant, username=None):
    """A member of the tenant who may see 拓新 but not report."""
    role = RoleFactory(partner=tenant.partner, name=f"viewer-{tenant.partner.account_name}",
                       permissions=["expansion.view"])
    return MemberFactory(partner=tenant.partner, user__username=username or f"{tenant.partner.account_name}.viewer",
                         roles=[role])


def build_reseller(tag, distributor_tenant):
    """A cloud reseller (with an administrator) of the distributor's tenant."""
    tenant = build_tenant(tag)
    partner = tenant.partner
    partner.partner_type, partner.distributor = "reseller", distributor_tenant.partner
    partner.save(update_fields=["partner_type", "distributor"])
    return tenant


