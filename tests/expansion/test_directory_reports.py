"""报备客户: first come first served by the partial unique index, who-neutral refusals, a stale protection
expired in the same transaction, withdraw, the expiry task (idempotent, due rows only, one event per
report), delisted distributors' resellers, and reporting an associated real-name customer."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.choices import VerifiedStatus
from events.models import Event
from expansion import directory_reports
from expansion.choices import EnterpriseStatus, ReportStatus
from expansion.errors_directory import DirectoryCodes
from expansion.event_types_directory import REPORT_EXPIRED
from expansion.models import Report
from expansion.tasks_directory import expire_reports
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, build_tenant
from .directory_fixtures import build_reseller, make_enterprise, viewer_of

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def report(tenant, enterprise, **kwargs):
    return directory_reports.report_enterprise(actor_of(tenant.admin), enterprise_id=enterprise.pk, **kwargs)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_report_protects_the_enterprise_for_the_configured_days(tenant_a, settings):
    settings.EXPANSION_REPORT_PROTECTION_DAYS = 30
    enterprise = make_enterprise()
    before = timezone.now()

    made = report(tenant_a, enterprise, contact_name=" 周经理 ", contact_phone="13900001111", note="云迁移")

    assert made.status == ReportStatus.ACTIVE and made.partner == tenant_a.partner
    assert before + 30 * DAY <= made.protected_until <= timezone.now() + 30 * DAY
    assert (made.contact_name, made.created_by) == ("周经理", tenant_a.admin)
    log = OperationLog.objects.get(action="expansion.report")
    assert log.partner == tenant_a.partner and log.result == "success" and log.target_id == str(made.pk)


def test_a_second_partner_is_refused_with_the_date_and_without_the_name(tenant_a, tenant_b):
    enterprise = make_enterprise()
    first = report(tenant_a, enterprise)

    error = refusal(lambda: report(tenant_b, enterprise))

    assert error.code == DirectoryCodes.TAKEN and error.status == 409
    local = timezone.localtime(first.protected_until).date().isoformat()
    assert local in str(error.message)
    for leak in (tenant_a.partner.name, tenant_a.partner.account_name, tenant_a.partner.domain_id, "a.admin"):
        assert leak not in str(error.message)
    assert Report.objects.filter(enterprise=enterprise).count() == 1
    failed = OperationLog.objects.get(action="expansion.report", partner=tenant_b.partner)
    assert failed.result == "failure" and failed.error_code == DirectoryCodes.TAKEN


def test_reporting_twice_says_the_partner_has_it_already(tenant_a):
    enterprise = make_enterprise()
    report(tenant_a, enterprise)
    assert refusal(lambda: report(tenant_a, enterprise)).code == DirectoryCodes.ALREADY_REPORTED


def test_the_database_keeps_one_active_report_whatever_the_code_does(tenant_a, tenant_b):
    # The backstop itself: two ACTIVE rows for one enterprise cannot be inserted.
    enterprise = make_enterprise()
    report(tenant_a, enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(partner=tenant_b.partner, enterprise=enterprise, protected_until=timezone.now() + DAY)


def test_a_stale_protection_is_expired_in_the_same_transaction_and_its_owner_told(tenant_a, tenant_b):
    enterprise = make_enterprise(name="过期保护科技有限公司")
    old = report(tenant_a, enterprise)
    later = old.protected_until + timedelta(minutes=1)  # the task has not run yet

    mine = directory_reports.report_enterprise(actor_of(tenant_b.admin), enterprise_id=enterprise.pk, now=later)

    old.refresh_from_db()
    assert (old.status, old.ended_at) == (ReportStatus.EXPIRED, later)
    assert mine.status == ReportStatus.ACTIVE and mine.partner == tenant_b.partner
    event = Event.objects.get(type=REPORT_EXPIRED)
    assert event.partner == tenant_a.partner and event.data["enterprise_name"] == "过期保护科技有限公司"
    # the expiry is the scheduler's, in the first partner's log: nothing there names the second partner
    expiry = OperationLog.objects.get(action="expansion.reports_expire")
    assert expiry.partner == tenant_a.partner and expiry.actor_kind == "scheduler"
    assert "b.admin" not in str(expiry.detail) and tenant_b.partner.name not in str(expiry.detail)
    # and the task has nothing left to do
    assert directory_reports.expire_due(now=later + DAY) == 0
    assert Event.objects.filter(type=REPORT_EXPIRED).count() == 1


def test_a_refused_report_leaves_a_stale_protection_as_it_was(tenant_a, tenant_b):
    enterprise = make_enterprise(status=EnterpriseStatus.OPERATING)
    old = report(tenant_a, enterprise)
    later = old.protected_until + DAY
    viewer = viewer_of(tenant_b)

    assert refusal(lambda: directory_reports.report_enterprise(
        actor_of(viewer), enterprise_id=enterprise.pk, now=later)).code == Codes.FORBIDDEN
    old.refresh_from_db()
    assert old.status == ReportStatus.ACTIVE


def test_withdraw_releases_the_enterprise_at_once(tenant_a, tenant_b):
    enterprise = make_enterprise()
    mine = report(tenant_a, enterprise)

    # another partner's report is not found, and stays
    assert refusal(lambda: directory_reports.withdraw_report(actor_of(tenant_b.admin), report_id=mine.pk)).code \
        == Codes.NOT_FOUND
    withdrawn = directory_reports.withdraw_report(actor_of(tenant_a.admin), report_id=mine.pk)

    assert withdrawn.status == ReportStatus.WITHDRAWN
    assert refusal(lambda: directory_reports.withdraw_report(actor_of(tenant_a.admin), report_id=mine.pk)).code \
        == DirectoryCodes.NOT_ACTIVE
    assert report(tenant_b, enterprise).partner == tenant_b.partner
    assert OperationLog.objects.filter(action="expansion.report_withdraw", result="success").count() == 1


def test_the_expiry_task_moves_due_reports_once_and_tells_each_partner_once(tenant_a, tenant_b):
    now = timezone.now()
    due_a = [report(tenant_a, make_enterprise(name=f"到期{i}有限公司")) for i in range(3)]
    due_b = report(tenant_b, make_enterprise(name="乙方到期有限公司"))
    kept = report(tenant_a, make_enterprise(name="未到期有限公司"))
    withdrawn = report(tenant_b, make_enterprise(name="已撤回有限公司"))
    directory_reports.withdraw_report(actor_of(tenant_b.admin), report_id=withdrawn.pk)
    Report.objects.filter(pk__in=[r.pk for r in due_a + [due_b, withdrawn]]).update(protected_until=now - DAY)
    Report.objects.filter(pk=kept.pk).update(protected_until=now + DAY)

    assert expire_reports.delay().get() == 4

    assert set(Report.objects.filter(status=ReportStatus.EXPIRED).values_list("pk", flat=True)) == \
        {r.pk for r in due_a + [due_b]}
    assert Report.objects.get(pk=kept.pk).status == ReportStatus.ACTIVE
    assert Report.objects.get(pk=withdrawn.pk).status == ReportStatus.WITHDRAWN
    events = Event.objects.filter(type=REPORT_EXPIRED)
    assert sorted(events.values_list("partner__account_name", flat=True)) == ["partner-a"] * 3 + ["partner-b"]
    assert OperationLog.objects.filter(action="expansion.reports_expire").count() == 2  # one per partner
    snapshot = list(Report.objects.order_by("pk").values_list("pk", "status", "ended_at"))

    # twice, and late: nothing more
    assert expire_reports.delay().get() == 0
    assert directory_reports.expire_due(now=now + 400 * DAY) == 1  # only `kept` has come due since
    assert directory_reports.expire_due(now=now + 400 * DAY) == 0
    assert [row for row in Report.objects.order_by("pk").values_list("pk", "status", "ended_at")
            if row[0] != kept.pk] == [row for row in snapshot if row[0] != kept.pk]
    assert Event.objects.filter(type=REPORT_EXPIRED).count() == 5
    assert OperationLog.objects.filter(action="expansion.reports_expire").count() == 3


def test_the_expiry_task_works_in_batches(tenant_a):
    now = timezone.now()
    made = [report(tenant_a, make_enterprise(name=f"批量{i}有限公司")) for i in range(7)]
    Report.objects.filter(pk__in=[r.pk for r in made]).update(protected_until=now - DAY)
    assert directory_reports.expire_due(now=now, batch=3, batches=2) == 6  # a run's bound
    assert directory_reports.expire_due(now=now, batch=3, batches=2) == 1  # the next run takes the rest
    assert Event.objects.filter(type=REPORT_EXPIRED).count() == 7


def test_a_closed_enterprise_cannot_be_reported(tenant_a):
    for status in (EnterpriseStatus.CANCELLED, EnterpriseStatus.REVOKED):
        enterprise = make_enterprise(status=status)
        assert refusal(lambda: report(tenant_a, enterprise)).code == DirectoryCodes.ENTERPRISE_CLOSED
    assert not Report.objects.exists()


def test_an_unknown_enterprise_is_not_found(tenant_a):
    assert refusal(lambda: directory_reports.report_enterprise(actor_of(tenant_a.admin), enterprise_id=999999)).code \
        == Codes.NOT_FOUND


def test_a_delisted_distributors_reseller_may_not_report(db):
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = build_reseller("resl", distributor)
    enterprise = make_enterprise()
    distributor.partner.status = "delisted"
    distributor.partner.save(update_fields=["status"])
    reseller.partner.refresh_from_db()

    error = refusal(lambda: report(reseller, enterprise))

    assert error.code == DirectoryCodes.REFUSED and error.status == 403 and str(error.message)
    assert not Report.objects.exists()
    # while the distributor is active, its reseller reports as anyone does
    distributor.partner.status = "active"
    distributor.partner.save(update_fields=["status"])
    reseller.partner.refresh_from_db()
    assert report(reseller, enterprise).partner == reseller.partner


def test_an_associated_real_name_customer_is_reported_with_its_entry(tenant_a, tenant_b):
    customer = tenant_a.referral
    customer.real_name, customer.verified_status = "杭州西湖电子商务有限公司", VerifiedStatus.VERIFIED
    customer.save(update_fields=["real_name", "verified_status"])
    enterprise = make_enterprise(name="杭州西湖电子商务有限公司")
    other = make_enterprise(name="别的公司有限公司")

    # not the customer's enterprise, another partner's customer, an unverified one: refused
    assert refusal(lambda: report(tenant_a, other, customer_id=customer.domain_id)).code \
        == DirectoryCodes.CUSTOMER_MISMATCH
    assert refusal(lambda: report(tenant_b, enterprise, customer_id=customer.domain_id)).code \
        == DirectoryCodes.CUSTOMER_MISMATCH
    customer.verified_status = VerifiedStatus.IN_REVIEW
    customer.save(update_fields=["verified_status"])
    assert refusal(lambda: report(tenant_a, enterprise, customer_id=customer.domain_id)).code \
        == DirectoryCodes.CUSTOMER_MISMATCH
    customer.verified_status = VerifiedStatus.VERIFIED
    customer.save(update_fields=["verified_status"])

    made = report(tenant_a, enterprise, customer_id=customer.domain_id)

    assert made.customer == customer and made.enterprise == enterprise
