"""商业信息认证: the bank account encrypted and masked, the credit code checked, the state machine, the
verification code on submit, operators verifying and returning in the admin, and is_certified."""

import html

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from events.models import Event
from partnercenter import secretbox
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.models import OperationLog
from programs import certification
from programs.choices import CertificationStatus
from programs.errors_agreements import AgreementCodes
from programs.models import BusinessCertification
from tests.conftest import actor_of, login_client
from tests.factories import RoleFactory, UserFactory

ACCOUNT = "6222 0212 3456 7894 321"
DIGITS = ACCOUNT.replace(" ", "")
MASKED = "**** **** **** 4321"
DETAILS = {
    "company_name": "杭州云帆科技有限公司", "credit_code": "91350100M000100Y43", "registered_address": "杭州市西湖区 1 号",
    "legal_representative": "张三", "bank_name": "中国工商银行", "bank_branch": "杭州西湖支行",
    "bank_account_holder": "杭州云帆科技有限公司", "invoice_title": "杭州云帆科技有限公司", "tax_id": "91350100M000100Y43",
    "invoice_address_phone": "杭州市西湖区 1 号 0571-88888888",
}
URL = "/programs/certification/"


def zh(message) -> str:
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(str(message)))


def saved(tenant, **changes):
    return certification.save_details(actor_of(tenant.admin), **{**DETAILS, "bank_account": ACCOUNT, **changes})


@pytest.fixture
def operator():
    return login_client(UserFactory(username="programs.ops", is_staff=True, is_superuser=True))


def admin_action(client, action, cert, **extra):
    return client.post("/admin/programs/businesscertification/", {
        "action": action, ACTION_CHECKBOX_NAME: [cert.pk], **extra})


def test_the_bank_account_is_stored_encrypted_and_shown_masked(tenant_a, admin_client_a):
    response = admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "save"})
    assert response.status_code == 302
    cert = BusinessCertification.objects.get(partner=tenant_a.partner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account_encrypted, bank_account_last4 FROM programs_businesscertification")
        [(stored, last4)] = cursor.fetchall()
    assert DIGITS not in stored and "78943" not in stored and last4 == "4321"
    assert secretbox.decrypt(stored) == DIGITS
    assert cert.status == CertificationStatus.DRAFT

    page = admin_client_a.get(URL).content.decode()
    assert MASKED in page and DIGITS not in page and ACCOUNT not in page
    # a form sent back with an error does not echo the number typed either
    wrong = admin_client_a.post(URL, {**DETAILS, "credit_code": "91350100M000100Y44", "bank_account": ACCOUNT,
                                      "action": "save"})
    assert wrong.status_code == 200 and DIGITS not in wrong.content.decode() and ACCOUNT not in wrong.content.decode()
    # blank keeps the stored number; the operation log never holds it
    assert admin_client_a.post(URL, {**DETAILS, "bank_account": "", "action": "save"}).status_code == 302
    assert secretbox.decrypt(BusinessCertification.objects.get().bank_account_encrypted) == DIGITS
    for log in OperationLog.objects.filter(action="programs.certification_save"):
        assert DIGITS not in str(log.detail) and log.detail["bank_account"] == MASKED


def test_the_operator_sees_the_account_masked_only(tenant_a, operator):
    cert = saved(tenant_a)
    for url in ("/admin/programs/businesscertification/", f"/admin/programs/businesscertification/{cert.pk}/change/"):
        body = operator.get(url).content.decode()
        assert MASKED in body and DIGITS not in body and cert.bank_account_encrypted not in body


def test_the_credit_code_and_the_account_are_checked(tenant_a):
    assert certification.valid_credit_code("91350100M000100Y43")
    assert not certification.valid_credit_code("91350100M000100Y44")       # wrong check character
    assert not certification.valid_credit_code("91350100M00010OY43")       # O is not used
    assert not certification.valid_credit_code("91350100M000100Y4")        # 17 characters
    for changes, code in (({"credit_code": "91350100M000100Y44"}, AgreementCodes.CERT_CREDIT_CODE),
                          ({"bank_account": "1234-56"}, AgreementCodes.CERT_BANK_ACCOUNT),
                          ({"bank_account": "6222abc0212345"}, AgreementCodes.CERT_BANK_ACCOUNT),
                          ({"tax_id": "123"}, AgreementCodes.CERT_TAX_ID),
                          ({"bank_account": ""}, AgreementCodes.CERT_MISSING)):
        with pytest.raises(DomainError) as refused:
            saved(tenant_a, **changes)
        assert refused.value.code == code
    assert not BusinessCertification.objects.exists()
    assert saved(tenant_a, credit_code="91350100m000100y43").credit_code == "91350100M000100Y43"


def test_submit_return_resubmit_verify(tenant_a, admin_client_a, operator):
    admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "submit"})
    cert = BusinessCertification.objects.get()
    assert cert.status == CertificationStatus.SUBMITTED and cert.submitted_at is not None
    assert not certification.is_certified(tenant_a.partner)
    # submitted: locked for the partner
    page = admin_client_a.get(URL).content.decode()
    assert 'id="certification-form"' not in page and MASKED in page
    with pytest.raises(DomainError) as refused:
        saved(tenant_a)
    assert refused.value.code == AgreementCodes.CERT_LOCKED
    with pytest.raises(DomainError):
        certification.submit(actor_of(tenant_a.admin))

    # the operator returns it: a reason is needed
    asked = admin_action(operator, "return_selected", cert)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert admin_action(operator, "return_selected", cert, apply="1", reason="").status_code == 200
    assert BusinessCertification.objects.get().status == CertificationStatus.SUBMITTED
    admin_action(operator, "return_selected", cert, apply="1", reason="开户许可证与账户名称不一致")
    cert.refresh_from_db()
    assert (cert.status, cert.reason) == (CertificationStatus.RETURNED, "开户许可证与账户名称不一致")
    assert Event.objects.get(type="certification.returned", partner=tenant_a.partner).data["reason"] == cert.reason
    assert OperationLog.objects.get(action="programs.certification_return").partner == tenant_a.partner
    assert "开户许可证与账户名称不一致" in admin_client_a.get(URL).content.decode()
    # a returned one cannot be verified until submitted again
    with pytest.raises(DomainError) as refused:
        certification.verify(actor_of(operator_user()), certification_id=cert.pk)
    assert refused.value.code == AgreementCodes.CERT_NOT_SUBMITTED

    # corrected and submitted again, then verified
    assert admin_client_a.post(URL, {**DETAILS, "bank_account_holder": "杭州云帆科技有限公司", "bank_account": "",
                                     "action": "submit"}).status_code == 302
    assert BusinessCertification.objects.get().status == CertificationStatus.SUBMITTED
    admin_action(operator, "verify", cert)
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.VERIFIED and cert.decided_by.username == "programs.ops"
    assert certification.is_certified(tenant_a.partner)
    assert Event.objects.filter(type="certification.verified", partner=tenant_a.partner).count() == 1
    admin_action(operator, "verify", cert)                           # again: nothing more happens
    assert Event.objects.filter(type="certification.verified").count() == 1


def operator_user():
    return UserFactory(username="ops.two", is_staff=True)


def test_decisions_are_for_operators_only(tenant_a):
    cert = saved(tenant_a)
    certification.submit(actor_of(tenant_a.admin))
    for decide in (lambda a: certification.verify(a, certification_id=cert.pk),
                   lambda a: certification.return_certification(a, certification_id=cert.pk, reason="x")):
        with pytest.raises(DomainError) as refused:
            decide(actor_of(tenant_a.admin))
        assert refused.value.code == Codes.FORBIDDEN
    staff_without_permission = login_client(UserFactory(username="ops.view", is_staff=True))
    assert admin_action(staff_without_permission, "verify", cert).status_code in (302, 403)
    assert BusinessCertification.objects.get().status == CertificationStatus.SUBMITTED


def test_submitting_asks_for_the_verification_code_when_on(tenant_a, admin_client_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    refused = admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "submit"})
    assert refused.status_code == 200 and zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert BusinessCertification.objects.get().status == CertificationStatus.DRAFT   # saved, not submitted
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    done = admin_client_a.post(URL, {**DETAILS, "action": "submit", "verification_code": code})
    assert done.status_code == 302
    assert BusinessCertification.objects.get().status == CertificationStatus.SUBMITTED


def test_members_without_programs_manage_read_but_cannot_write(tenant_a, tenant_b):
    saved(tenant_a)
    tenant_a.member.roles.set([RoleFactory(partner=tenant_a.partner, permissions=["programs.view"])])
    client = login_client(tenant_a.member.user)
    page = client.get(URL).content.decode()
    assert MASKED in page and 'id="certification-form"' not in page
    assert client.post(URL, {**DETAILS, "bank_account": "1234567890", "action": "save"}).status_code == 403
    assert BusinessCertification.objects.get().bank_account_last4 == "4321"
    # another partner sees its own (none), never A's
    other = login_client(tenant_b.admin.user).get(URL).content.decode()
    assert MASKED not in other and DETAILS["company_name"] not in other


def test_the_business_licence_is_uploaded_with_the_details(tenant_a, admin_client_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    licence = SimpleUploadedFile("营业执照.pdf", b"%PDF-1.4\n% licence\n", content_type="application/pdf")
    assert admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "save",
                                     "licence": licence}).status_code == 302
    [material] = BusinessCertification.objects.get().materials.all()
    assert material.original_name == "营业执照.pdf" and material.partner == tenant_a.partner
    assert (tmp_path / "private" / material.file.name).exists()
    assert "营业执照.pdf" in admin_client_a.get(URL).content.decode()
    # not a PDF: refused on the form, the details are still saved
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = admin_client_a.post(URL, {**DETAILS, "action": "save", "licence": fake})
    assert refused.status_code == 200 and BusinessCertification.objects.get().materials.count() == 1


def pdf(name, body=b"licence"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% " + body + b"\n", content_type="application/pdf")


def test_a_new_licence_replaces_the_stored_one(tenant_a, admin_client_a, settings, tmp_path,
                                               django_capture_on_commit_callbacks):
    from programs import uploads

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "save",
                                         "licence": pdf("旧营业执照.pdf")}).status_code == 302
    [old] = BusinessCertification.objects.get().materials.all()
    assert (tmp_path / "private" / old.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_a.post(URL, {**DETAILS, "action": "save", "licence": pdf("营业执照.pdf", b"new")}
                                   ).status_code == 302
    [new] = BusinessCertification.objects.get().materials.all()
    assert new.original_name == "营业执照.pdf" and new.pk != old.pk
    assert not (tmp_path / "private" / old.file.name).exists() and (tmp_path / "private" / new.file.name).exists()
    log = OperationLog.objects.filter(action="programs.certification_licence").latest("pk")
    assert log.detail["replaced"] == [old.pk] and log.detail["material"] == new.pk
    page = admin_client_a.get(URL).content.decode()
    assert "营业执照.pdf" in page and "旧营业执照.pdf" not in page
    # never piling up to the per-owner limit: many uploads later there is still one document, and uploading works
    settings.PROGRAM_UPLOAD_MAX_BYTES = 1024
    cert = BusinessCertification.objects.get()
    for n in range(uploads.MAX_FILES):
        certification.replace_licence(actor_of(tenant_a.admin), certification=cert, upload=pdf(f"{n}.pdf"))
    assert [m.original_name for m in cert.materials.all()] == [f"{uploads.MAX_FILES - 1}.pdf"]
    # a refused file keeps the stored licence
    with pytest.raises(DomainError):
        certification.replace_licence(actor_of(tenant_a.admin), certification=cert, upload=pdf("big.pdf", b"x" * 2000))
    assert cert.materials.count() == 1


def test_the_licence_field_names_every_accepted_kind(tenant_a, admin_client_a):
    admin_client_a.cookies["django_language"] = "en"
    page = admin_client_a.get(URL).content.decode()
    assert "PDF, PNG, JPEG, ZIP, DOCX or XLSX" in page
    assert 'accept=".pdf,.png,.jpg,.jpeg,.zip,.docx,.xlsx"' in page


def test_the_bank_account_is_kept_out_of_error_reports(tenant_a, admin_client_a):
    from django.views.debug import SafeExceptionReporterFilter

    response = admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "save"})
    request = response.wsgi_request
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["bank_account"] != ACCOUNT and cleaned["company_name"] == DETAILS["company_name"]


def test_operators_see_and_download_the_licence_in_the_admin(tenant_a, admin_client_a, operator, settings, tmp_path):
    from django.urls import reverse

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    admin_client_a.post(URL, {**DETAILS, "bank_account": ACCOUNT, "action": "submit", "licence": pdf("营业执照.pdf")})
    cert = BusinessCertification.objects.get()
    [material] = cert.materials.all()
    link = reverse("programs:material", args=[material.pk])
    body = operator.get(f"/admin/programs/businesscertification/{cert.pk}/change/").content.decode()
    assert f'href="{link}"' in body and "营业执照.pdf" in body
    assert 'name="materials-0-DELETE"' not in body and 'type="file"' not in body  # read-only
    download = operator.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-1.4")
