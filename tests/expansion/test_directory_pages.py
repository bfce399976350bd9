"""The 企业百科 and 我的报备 pages: an enterprise's page reports it, another partner sees only until when it is
protected, members who may only view get no form, 我的报备 filters and withdraws, another partner's report
is 404, the customer's detail page links to its entry, and the lists run a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.choices import VerifiedStatus
from expansion import directory_reports
from expansion.choices import ReportStatus
from expansion.models import Report

from ..conftest import actor_of, build_tenant, login_client
from .directory_fixtures import build_reseller, make_enterprise, viewer_of

pytestmark = pytest.mark.django_db
REPORTS = "/expansion/reports/"


def page(pk):
    return f"/expansion/directory/{pk}/"


def test_a_partner_reports_from_the_enterprise_page_and_another_sees_only_the_date(tenant_a, tenant_b):
    enterprise = make_enterprise(name="页面报备科技有限公司")
    a, b = login_client(tenant_a.admin.user), login_client(tenant_b.admin.user)
    assert 'id="report-form"' in a.get(page(enterprise.pk)).content.decode()

    response = a.post(page(enterprise.pk), {"contact_name": "周经理", "contact_phone": "139 0000 1111", "note": "上云"})

    assert response.status_code == 302
    made = Report.objects.get()
    assert (made.partner, made.contact_phone, made.note) == (tenant_a.partner, "139 0000 1111", "上云")
    assert 'id="protected-own"' in a.get(page(enterprise.pk)).content.decode()
    seen = b.get(page(enterprise.pk)).content.decode()
    assert 'id="protected-other"' in seen and 'id="report-form"' not in seen
    assert timezone.localtime(made.protected_until).date().isoformat() in seen
    assert tenant_a.partner.name not in seen and "周经理" not in seen

    # a POST anyway (the page was open before the report): the refusal on the form, nothing written
    body = b.post(page(enterprise.pk), {"contact_name": "x"}).content.decode()
    assert "another partner" in body or "其他合作伙伴" in body or "已被" in body
    assert Report.objects.count() == 1


def test_a_member_who_may_only_view_gets_no_form(tenant_a):
    enterprise = make_enterprise()
    client = login_client(viewer_of(tenant_a).user)
    body = client.get(page(enterprise.pk)).content.decode()
    assert 'id="report-not-allowed"' in body and 'id="report-form"' not in body
    assert client.post(page(enterprise.pk), {}).status_code == 403
    assert client.get(REPORTS).status_code == 200
    assert not Report.objects.exists()


def test_unknown_enterprises_and_other_partners_reports_are_not_found(tenant_a, tenant_b):
    enterprise = make_enterprise()
    theirs = directory_reports.report_enterprise(actor_of(tenant_b.admin), enterprise_id=enterprise.pk)
    client = login_client(tenant_a.admin.user)
    assert client.get(page(999999)).status_code == 404
    assert client.post(f"/expansion/reports/{theirs.pk}/withdraw/").status_code == 404
    assert client.post("/expansion/reports/999999/withdraw/").status_code == 404
    assert f'data-report="{theirs.pk}"' not in client.get(REPORTS).content.decode()
    assert f'data-report="{theirs.pk}"' not in client.get(page(enterprise.pk)).content.decode()
    theirs.refresh_from_db()
    assert theirs.status == ReportStatus.ACTIVE


def test_my_reports_filter_and_withdraw(tenant_a):
    actor = actor_of(tenant_a.admin)
    active = directory_reports.report_enterprise(actor, enterprise_id=make_enterprise(name="甲有效有限公司").pk)
    stale = directory_reports.report_enterprise(actor, enterprise_id=make_enterprise(name="乙过期有限公司").pk)
    gone = directory_reports.report_enterprise(actor, enterprise_id=make_enterprise(name="丙撤回有限公司").pk)
    directory_reports.withdraw_report(actor, report_id=gone.pk)
    Report.objects.filter(pk=stale.pk).update(protected_until=timezone.now() - timedelta(minutes=5))
    client = login_client(tenant_a.admin.user)

    def shown(**query):
        body = client.get(REPORTS, query).content.decode()
        return dict(re.findall(r'data-report="(\d+)">.*?data-status="(\w+)"', body, re.S))

    assert shown() == {str(active.pk): "active", str(stale.pk): "expired", str(gone.pk): "withdrawn"}
    assert shown(status="active") == {str(active.pk): "active"}
    assert shown(status="expired") == {str(stale.pk): "expired"}  # past its date: expired before the task runs
    assert shown(status="withdrawn") == {str(gone.pk): "withdrawn"}
    assert shown(enterprise="有效") == {str(active.pk): "active"}
    assert set(shown(reported_from=timezone.localdate().isoformat())) == {str(active.pk), str(stale.pk), str(gone.pk)}
    body = client.get(REPORTS).content.decode()
    assert f'id="withdraw-{active.pk}"' in body and f'id="withdraw-{stale.pk}"' not in body

    assert client.post(f"/expansion/reports/{active.pk}/withdraw/").status_code == 302
    assert Report.objects.get(pk=active.pk).status == ReportStatus.WITHDRAWN
    client.post(f"/expansion/reports/{active.pk}/withdraw/")  # twice: a message, nothing more
    assert Report.objects.get(pk=active.pk).status == ReportStatus.WITHDRAWN
    assert login_client(viewer_of(tenant_a).user).post(f"/expansion/reports/{stale.pk}/withdraw/").status_code == 403


def test_the_reports_list_runs_a_constant_number_of_queries(tenant_a):
    actor = actor_of(tenant_a.admin)
    customer = tenant_a.referral
    customer.real_name, customer.verified_status = "常量客户有限公司", VerifiedStatus.VERIFIED
    customer.save(update_fields=["real_name", "verified_status"])
    client = login_client(tenant_a.admin.user)
    client.get(REPORTS)
    seen = {}
    for rows in (2, 20):
        Report.objects.all().delete()
        for index in range(rows):
            name = "常量客户有限公司" if index == 0 else f"常量报备{rows}-{index}有限公司"
            enterprise = make_enterprise(name=name)
            directory_reports.report_enterprise(actor, enterprise_id=enterprise.pk,
                                                customer_id=customer.domain_id if index == 0 else None)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(REPORTS).content.decode()
        assert body.count("data-report=") == rows
        seen[rows] = [query["sql"] for query in captured.captured_queries]
    assert len(seen[2]) == len(seen[20]), "\n".join(seen[20])


def test_a_real_name_customer_links_to_its_enterprise_entry_and_is_reported_with_it(tenant_a):
    customer = tenant_a.referral  # assigned to tenant_a.member
    customer.real_name, customer.verified_status = "杭州西湖电子商务有限公司", VerifiedStatus.VERIFIED
    customer.save(update_fields=["real_name", "verified_status"])
    enterprise = make_enterprise(name="杭州西湖电子商务有限公司")
    client = login_client(tenant_a.admin.user)

    detail = client.get(f"/customers/{customer.domain_id}/").content.decode()
    link = re.search(r'id="enterprise-link" href="([^"]+)"', detail).group(1).replace("&amp;", "&")
    assert link == f"{page(enterprise.pk)}?customer={customer.domain_id}"
    body = client.get(link).content.decode()
    assert re.search(rf'<option value="{customer.domain_id}" selected>', body)

    client.post(page(enterprise.pk), {"customer": customer.domain_id})
    assert Report.objects.get().customer == customer

    # no link: a customer without an entry, one not verified, a member without expansion.view
    make_enterprise(name="杭州西湖电子商务有限公司")  # two entries of one name: the search instead
    detail = client.get(f"/customers/{customer.domain_id}/").content.decode()
    assert "/expansion/directory/?q=" in detail
    other = tenant_a.resale
    other.real_name, other.verified_status = "没有条目有限公司", VerifiedStatus.VERIFIED
    other.save(update_fields=["real_name", "verified_status"])
    assert 'id="enterprise-link"' not in client.get(f"/customers/{other.domain_id}/").content.decode()
    customer.verified_status = VerifiedStatus.IN_REVIEW
    customer.save(update_fields=["verified_status"])
    assert 'id="enterprise-link"' not in client.get(f"/customers/{customer.domain_id}/").content.decode()
    customer.verified_status = VerifiedStatus.VERIFIED
    customer.save(update_fields=["verified_status"])
    assert 'id="enterprise-link"' not in login_client(tenant_a.member.user).get(
        f"/customers/{customer.domain_id}/").content.decode()


def test_a_delisted_distributors_reseller_is_told_why_it_cannot_report(db):
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = build_reseller("resl", distributor)
    distributor.partner.status = "delisted"
    distributor.partner.save(update_fields=["status"])
    enterprise = make_enterprise()
    client = login_client(reseller.admin.user)
    body = client.get(page(enterprise.pk)).content.decode()
    assert 'id="report-refused"' in body and 'id="report-form"' not in body
    client.post(page(enterprise.pk), {})
    assert not Report.objects.exists()
