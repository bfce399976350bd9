"""The pages of 权益 ▸ 专职人员激励(FH): permission incentives.fh (an account manager sees none unless a role grants
it), another partner's list or payment is 404, bad query strings are no 500, the lists run a constant number of
queries, and the whole flow in the browser's terms: sign, check, upload, submit, apply with a confirmation, the
progress, the printable 开票清单 and the invoice number; operators decide in the admin."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from incentives.choices import FhMonthStatus as S
from incentives.choices import FhPaymentStatus, FhQualificationStatus
from incentives.errors_fh import FhCodes
from incentives.models_fh import FhMonth, FhPayment, FhQualification
from partnercenter.errors import MESSAGES
from programs.catalogue import ROLE_CERTIFIED, seed_definitions

from ..conftest import login_client
from .fh_fixtures import enrol, fh_partner, generate_at, make_operator, month_row, pdf, shanghai

pytestmark = pytest.mark.django_db

IN_OCTOBER = shanghai(2026, 10, 20, 10, 0)
PAGES = ["incentives:fh", "incentives:fh_apply", "incentives:fh_months", "incentives:fh_payments"]


@pytest.fixture
def world(tenant_a, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return fh_partner(tenant_a)


def get(client, name, *args, **query):
    return client.get(reverse(name, args=args), query)


def test_an_account_manager_sees_no_fh_page_unless_a_role_grants_it(world):
    month = month_row(world.partner, date(2026, 9, 1), S.GENERATED, lines=world.specialists)
    manager = login_client(world.tenant.member.user)
    for name in PAGES:
        assert get(manager, name).status_code == 403, name
    assert get(manager, "incentives:fh_month", month.pk).status_code == 403
    world.tenant.role.permissions = [*world.tenant.role.permissions, "incentives.fh"]
    world.tenant.role.save(update_fields=["permissions"])
    for name in PAGES:
        assert get(manager, name).status_code == 200, name
    assert get(manager, "incentives:fh_month", month.pk).status_code == 200


def test_another_partners_list_and_payment_are_not_found(world, tenant_b):
    month = month_row(world.partner, date(2026, 9, 1), S.FINAL, lines=world.specialists)
    payment = FhPayment.objects.create(partner=world.partner, year=2026, quarter=3, amount=month.amount,
                                       status=FhPaymentStatus.APPROVED)
    other = login_client(tenant_b.admin.user)
    for name, pk in [("incentives:fh_month", month.pk), ("incentives:fh_month_submit", month.pk),
                     ("incentives:fh_payment", payment.pk), ("incentives:fh_invoice_list", payment.pk)]:
        assert get(other, name, pk).status_code == 404, name
    assert other.post(reverse("incentives:fh_month_lines", args=[month.pk]), {"kept": []}).status_code == 404
    assert other.post(reverse("incentives:fh_payment_invoice", args=[payment.pk]),
                      {"invoice_number": "12345678"}).status_code == 404
    payment.refresh_from_db()
    assert payment.status == FhPaymentStatus.APPROVED


def test_the_qualification_page_says_why_a_partner_may_not_apply(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner, ROLE_CERTIFIED)
    client = login_client(tenant_a.admin.user)
    page = get(client, "incentives:fh")
    assert page.status_code == 200 and 'id="fh-not-eligible"' in page.content.decode()
    assert "角色认证" in page.content.decode() and 'id="fh-apply"' not in page.content.decode()
    refused = client.post(reverse("incentives:fh_apply"), {"signer_name": "张三", "accepted": "on"})
    assert refused.status_code == 200 and not FhQualification.objects.exists()


def test_signing_the_agreement_on_the_page(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner)
    client = login_client(tenant_a.admin.user)
    form = get(client, "incentives:fh_apply")
    assert "专职人员激励（FH）协议" in form.content.decode() and tenant_a.partner.name in form.content.decode()
    not_ticked = client.post(reverse("incentives:fh_apply"), {"signer_name": "张三"})
    assert not_ticked.status_code == 200 and not_ticked.context["form"].non_field_errors()
    done = client.post(reverse("incentives:fh_apply"), {"signer_name": "张三", "accepted": "on"})
    assert done.status_code == 302
    assert FhQualification.objects.get().status == FhQualificationStatus.APPLYING
    assert 'id="fh-applying"' in get(client, "incentives:fh").content.decode()


def test_operators_approve_the_qualification_in_the_admin(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner)
    login_client(tenant_a.admin.user).post(reverse("incentives:fh_apply"), {"signer_name": "张三", "accepted": "on"})
    qualification = FhQualification.objects.get()
    admin = login_client(make_operator())
    assert admin.get(reverse("admin:incentives_fhqualification_changelist")).status_code == 200
    assert admin.get(reverse("admin:incentives_fhqualification_change", args=[qualification.pk])).status_code == 200
    url = reverse("admin:incentives_fhqualification_approve", args=[qualification.pk])
    assert admin.get(url).status_code == 200
    assert admin.post(url, {"reason": ""}).status_code == 302
    qualification.refresh_from_db()
    assert qualification.status == FhQualificationStatus.APPROVED
    staff_without_right = login_client(type(qualification.signed_by).objects.create(username="x", is_staff=True))
    assert staff_without_right.get(reverse("admin:incentives_fhqualification_reject",
                                           args=[qualification.pk])).status_code == 403


def test_bad_query_strings_are_no_500(world):
    client = login_client(world.tenant.admin.user)
    assert get(client, "incentives:fh_months", status="nope", year="abc", page="x").status_code == 200
    assert get(client, "incentives:fh_payments", status="<b>", page="-1").status_code == 200
    assert get(client, "incentives:fh_payment_apply", year="x", quarter="9").status_code == 404
    assert get(client, "incentives:fh_months").context["page"].paginator.count == 0
    assert 'id="no-fh-months"' in get(client, "incentives:fh_months").content.decode()
    assert 'id="no-fh-quarters"' in get(client, "incentives:fh_payments").content.decode()


def test_the_lists_run_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = login_client(world.tenant.admin.user)

    def fill(year):
        for month in (1, 2, 3, 4, 5, 6):
            row = month_row(world.partner, date(year, month, 1), [S.FINAL, S.LAPSED, S.GENERATED][month % 3],
                            lines=world.specialists)
            if row.status == S.FINAL and month % 2:
                FhPayment.objects.create(partner=world.partner, year=year, quarter=(month - 1) // 3 + 1,
                                         amount=row.amount)

    fill(2024)
    with django_assert_max_num_queries(30) as few:
        get(client, "incentives:fh_months")
        get(client, "incentives:fh_payments")
    fill(2025)
    with django_assert_max_num_queries(len(few.captured_queries)):
        get(client, "incentives:fh_months")
        get(client, "incentives:fh_payments")


def test_checking_uploading_and_submitting_on_the_pages(world):
    generate_at(shanghai(2026, 10, 1, 0, 15))
    month = FhMonth.objects.get()
    keep = month.lines.order_by("pk").first()
    client = login_client(world.tenant.admin.user)
    with time_machine.travel(IN_OCTOBER, tick=False):
        page = get(client, "incentives:fh_month", month.pk)
        assert page.status_code == 200 and 'data-countdown="4"' in page.content.decode()   # 21–23 and 26 October
        assert client.post(reverse("incentives:fh_month_lines", args=[month.pk]), {"kept": [keep.pk]}).status_code == 302
        month.refresh_from_db()
        assert month.amount == keep.amount
        blocked = client.get(reverse("incentives:fh_month_submit", args=[month.pk]))
        assert 'id="fh-cannot-submit"' in blocked.content.decode()              # no materials yet
        client.post(reverse("incentives:fh_month_upload", args=[month.pk]), {"files": [pdf("a.pdf"), pdf("b.pdf")]})
        assert month.materials.count() == 2
        material = month.materials.first()
        removal = reverse("incentives:fh_material_remove", args=[month.pk, material.pk])
        assert client.get(removal).status_code == 200 and month.materials.count() == 2
        client.post(removal)
        assert month.materials.count() == 1
        assert client.post(reverse("incentives:fh_month_submit", args=[month.pk])).status_code == 302
    month.refresh_from_db()
    assert month.status == S.SUBMITTED
    assert 'id="fh-under-review"' in get(client, "incentives:fh_month", month.pk).content.decode()


def test_applying_printing_and_entering_the_invoice_number(world):
    for month in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)):
        month_row(world.partner, month, S.FINAL, lines=world.specialists)
    client = login_client(world.tenant.admin.user)
    url = reverse("incentives:fh_payment_apply")
    with time_machine.travel(IN_OCTOBER, tick=False):
        overview = get(client, "incentives:fh_payments")
        assert 'class="btn btn-small btn-primary quarter-apply"' in overview.content.decode()
        first = client.post(url, {"year": 2026, "quarter": 3})
        assert first.status_code == 200 and not FhPayment.objects.exists()
        token = first.context["confirm"]["token"].value()
        done = client.post(url, {"year": 2026, "quarter": 3, "confirm": "1", "token": token})
        again = client.post(url, {"year": 2026, "quarter": 3, "confirm": "1", "token": token})
    payment = FhPayment.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("incentives:fh_payment", args=[payment.pk])
    assert again.status_code == 200 and FhPayment.objects.count() == 1
    assert get(client, "incentives:fh_invoice_list", payment.pk).status_code == 404      # not before approval

    admin = login_client(make_operator())
    assert admin.post(reverse("admin:incentives_fhpayment_approve", args=[payment.pk]), {"reason": ""}).status_code == 302
    detail = get(client, "incentives:fh_payment", payment.pk)
    assert [s.state for s in detail.context["steps"]] == ["done", "done", "current", "todo"]
    sheet = get(client, "incentives:fh_invoice_list", payment.pk).content.decode()
    assert "@media print" in sheet and "华为云计算技术有限公司" in sheet and "**** **** **** 5678" in sheet
    assert "王工" in sheet and "48,000.00" in sheet and "6225880112345678" not in sheet

    bad = client.post(reverse("incentives:fh_payment_invoice", args=[payment.pk]), {"invoice_number": "12-34"})
    assert bad.status_code == 200 and bad.context["form"].non_field_errors()
    client.post(reverse("incentives:fh_payment_invoice", args=[payment.pk]), {"invoice_number": "26332000"})
    payment.refresh_from_db()
    assert (payment.status, payment.invoice_number) == (FhPaymentStatus.INVOICED, "26332000")
    assert admin.post(reverse("admin:incentives_fhpayment_paid", args=[payment.pk]),
                      {"reference": "HW-1"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == FhPaymentStatus.PAID
    assert admin.get(reverse("admin:incentives_fhpayment_changelist")).status_code == 200
    assert admin.get(reverse("admin:incentives_fhmonth_changelist")).status_code == 200


def test_the_quarter_rows_show_each_refusal(world):
    month_row(world.partner, date(2026, 4, 1), S.SUBMITTED, lines=world.specialists)
    month_row(world.partner, date(2026, 7, 1), S.FINAL, lines=world.specialists)
    with time_machine.travel(shanghai(2026, 8, 20, 10, 0), tick=False):
        page = get(login_client(world.tenant.admin.user), "incentives:fh_payments").content.decode()
    assert 'data-quarter="2026-Q3"' in page and 'data-code="CBC.99011321"' in page      # Q3 not over
    assert 'data-code="CBC.99011324"' in page                                         # Q2 under review
    with translation.override("en"):
        assert "under review" in str(MESSAGES[FhCodes.PAYMENT_MONTH_UNDER_REVIEW])


def test_operators_review_a_list_in_the_admin(world):
    month = month_row(world.partner, date(2026, 9, 1), S.SUBMITTED, lines=world.specialists)
    admin = login_client(make_operator())
    assert admin.get(reverse("admin:incentives_fhmonth_change", args=[month.pk])).status_code == 200
    url = reverse("admin:incentives_fhmonth_return", args=[month.pk])
    assert admin.post(url, {"reason": ""}).status_code == 200                         # a reason is required
    assert admin.post(url, {"reason": "缺少劳动合同"}).status_code == 302
    month.refresh_from_db()
    assert (month.status, month.reason) == (S.RETURNED, "缺少劳动合同")
    gone = admin.get(reverse("admin:incentives_fhmonth_finalise", args=[month.pk])).content.decode()
    assert 'id="fh-decide-not-allowed"' in gone
