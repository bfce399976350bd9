"""Uploaded materials: the type by content and extension, the size, the count, private storage (never under
static), the guarded download and who may read it; removing a material removes its file."""

import hashlib
import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile

from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import reviews, uploads
from programs.catalogue import DTCSI, ROLE_CERTIFIED
from programs.errors_reviews import ReviewCodes
from programs.hooks_reviews import private_media_not_served
from programs.models import Material, Path as DevPath, PathEnrolment, Review, ReviewSubmission, Stage
from tests.conftest import actor_of, build_tenant, login_client
from tests.factories import MemberFactory, RoleFactory, UserFactory

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 10, 10, 0, tzinfo=CHINA)


# ---------------------------------------------------------------------------------------------
# Files and set-up shared by the reviews tests
# ---------------------------------------------------------------------------------------------

def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main: str, part: str) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             f'content-types"><Override PartName="/{part}" ContentType="application/vnd.openxmlformats-'
             f'officedocument.{main}.main+xml"/></Types>')
    return _zip({"[Content_Types].xml": types, part: "<x/>"})


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"
ZIP = _zip({"a.txt": "hello"})
DOCX = _ooxml("wordprocessingml.document", "word/document.xml")
XLSX = _ooxml("spreadsheetml.sheet", "xl/workbook.xml")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

GOOD = [
    ("report.pdf", PDF, "application/pdf"),
    ("photo.png", PNG, "image/png"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("scan.jpeg", JPEG, "image/jpeg"),
    ("bundle.zip", ZIP, "application/zip"),
    ("plan.docx", DOCX, uploads.KINDS["docx"]),
    ("sheet.xlsx", XLSX, uploads.KINDS["xlsx"]),
    ("word-inside.zip", DOCX, "application/zip"),   # a docx is a zip: named .zip it is a zip
]
BAD = [
    ("setup.pdf", EXE),            # an .exe renamed .pdf
    ("page.pdf", HTML),            # an HTML page named .pdf
    ("page.html", HTML),           # an HTML page
    ("setup.exe", EXE),
    ("report.png", PDF),           # a real PDF named .png: content and name disagree
    ("bundle.docx", ZIP),          # a plain zip named .docx
    ("plan.xlsx", DOCX),           # a Word document named .xlsx
    ("broken.zip", b"PK\x03\x04not really a zip at all"),
    ("report", PDF),               # no extension
    (".pdf", PDF),                 # only an extension
]


def upload(name="report.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def enrol(partner, path_code=DTCSI, stage_code=ROLE_CERTIFIED):
    path = DevPath.objects.get(code=path_code)
    return PathEnrolment.objects.create(partner=partner, path=path, stage=Stage.objects.get(path=path, code=stage_code))


def open_review(path_code=DTCSI, year=2026, *, opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=30)):
    return Review.objects.create(path=DevPath.objects.get(code=path_code), year=year, opens_at=opens, closes_at=closes,
                                 instructions="上传年度经营报告与项目案例。")


@pytest.fixture
def on_review(tenant_a, programmes, travel, private_root):
    """Tenant A on the dtcsi path at 角色认证, its 2026 review open."""
    enrol(tenant_a.partner)
    return open_review()


def viewer_without_manage(tenant):
    role = RoleFactory(partner=tenant.partner, permissions=["programs.view"])
    return MemberFactory(partner=tenant.partner, user__username=f"{tenant.partner.account_name}.viewer", roles=[role])


def member_without_view(tenant):
    role = RoleFactory(partner=tenant.partner, permissions=["customers.view"])
    return MemberFactory(partner=tenant.partner, user__username=f"{tenant.partner.account_name}.other", roles=[role])


def add(tenant, review, *files):
    return reviews.upload_materials(actor_of(tenant.admin), review=review, files=list(files) or [upload()])


# ---------------------------------------------------------------------------------------------
# The type, by content and by name
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,data,content_type", GOOD, ids=[g[0] for g in GOOD])
def test_each_accepted_kind_is_stored_privately_with_its_own_type_and_hash(tenant_a, on_review, private_root,
                                                                           name, data, content_type):
    # the browser's declared type is ignored: ours comes from the checked content
    [material] = add(tenant_a, on_review, upload(name, data, content_type="text/html"))

    material.refresh_from_db()
    assert material.content_type == content_type
    assert material.original_name == name
    assert material.size == len(data)
    assert material.sha256 == hashlib.sha256(data).hexdigest()
    assert material.partner == tenant_a.partner and material.submission.partner == tenant_a.partner
    [path] = stored_files(private_root)
    assert path.read_bytes() == data
    assert path.relative_to(Path(private_root).resolve() if path.is_absolute() else private_root)
    assert material.file.name.startswith("programs/2026/") and name not in material.file.name
    assert "." not in Path(material.file.name).name   # a random name, no extension to be served by


@pytest.mark.parametrize("name,data", BAD, ids=[b[0] or "empty" for b in BAD])
def test_a_file_whose_content_is_not_an_accepted_kind_or_disagrees_with_its_name_is_refused(
        tenant_a, on_review, private_root, name, data):
    with pytest.raises(DomainError) as refused:
        add(tenant_a, on_review, upload(name, data, content_type="application/pdf"))

    assert refused.value.code == ReviewCodes.UPLOAD_TYPE
    assert not Material.objects.exists()
    assert stored_files(private_root) == []
    failure = OperationLog.objects.get(action="programs.review_upload")
    assert failure.result == "failure" and failure.error_code == ReviewCodes.UPLOAD_TYPE


def test_one_refused_file_stores_none_of_the_batch(tenant_a, on_review, private_root):
    with pytest.raises(DomainError):
        add(tenant_a, on_review, upload("a.pdf", PDF), upload("b.png", PNG), upload("evil.pdf", EXE))

    assert not Material.objects.exists()
    assert stored_files(private_root) == []


def test_a_failure_after_files_were_written_removes_them(tenant_a, on_review, private_root, monkeypatch):
    """A file written before its transaction failed does not stay behind without a row."""
    def boom(*args, **kwargs):
        raise RuntimeError("disk full while saving the row")
    calls = {"n": 0}
    original = Material.save

    def save_then_fail(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            boom()
        return original(self, *args, **kwargs)
    monkeypatch.setattr(Material, "save", save_then_fail)

    with pytest.raises(RuntimeError):
        add(tenant_a, on_review, upload("a.pdf", PDF), upload("b.png", PNG))

    assert not Material.objects.exists()
    assert stored_files(private_root) == []


# ---------------------------------------------------------------------------------------------
# Size and count
# ---------------------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_and_one_at_the_limit_accepted(tenant_a, on_review, settings,
                                                                           private_root):
    settings.PROGRAM_UPLOAD_MAX_BYTES = len(PDF) + 10
    with pytest.raises(DomainError) as refused:
        add(tenant_a, on_review, upload("big.pdf", PDF + b"x" * 11))
    assert refused.value.code == ReviewCodes.UPLOAD_TOO_LARGE
    assert stored_files(private_root) == []

    [material] = add(tenant_a, on_review, upload("fits.pdf", PDF + b"x" * 10))
    assert material.size == settings.PROGRAM_UPLOAD_MAX_BYTES


def test_the_size_is_counted_on_the_bytes_read_not_the_declared_size(tenant_a, on_review, settings, private_root):
    settings.PROGRAM_UPLOAD_MAX_BYTES = 100
    lying = upload("big.pdf", PDF + b"x" * 200)
    lying.size = 10
    with pytest.raises(DomainError) as refused:
        add(tenant_a, on_review, lying)
    assert refused.value.code == ReviewCodes.UPLOAD_TOO_LARGE


def test_an_empty_file_is_refused(tenant_a, on_review):
    with pytest.raises(DomainError) as refused:
        add(tenant_a, on_review, upload("empty.pdf", b""))
    assert refused.value.code == ReviewCodes.UPLOAD_EMPTY


def test_at_most_max_files_per_submission(tenant_a, on_review, monkeypatch, private_root):
    monkeypatch.setattr(uploads, "MAX_FILES", 2)
    add(tenant_a, on_review, upload("a.pdf"))
    with pytest.raises(DomainError) as refused:
        add(tenant_a, on_review, upload("b.pdf"), upload("c.pdf"))
    assert refused.value.code == ReviewCodes.UPLOAD_TOO_MANY
    add(tenant_a, on_review, upload("b.pdf"))
    with pytest.raises(DomainError) as again:   # store_material's own count, for the other callers
        submission = ReviewSubmission.objects.get()
        uploads.store_material(actor_of(tenant_a.admin), upload=upload("d.pdf"), submission=submission)
    assert again.value.code == ReviewCodes.UPLOAD_TOO_MANY
    assert Material.objects.count() == 2 and len(stored_files(private_root)) == 2


def test_the_page_refuses_an_oversized_file_with_a_message(tenant_a, on_review, settings, private_root,
                                                          admin_client_a):
    settings.PROGRAM_UPLOAD_MAX_BYTES = 64
    admin_client_a.cookies["django_language"] = "en"
    response = admin_client_a.post(f"/programs/reviews/{on_review.pk}/upload/",
                                   {"files": [upload("big.pdf", PDF + b"x" * 100)]}, follow=True)
    assert "big.pdf is larger than 64 B." in response.content.decode()
    assert not Material.objects.exists() and stored_files(private_root) == []


def test_the_page_refuses_a_renamed_executable_with_a_message(tenant_a, on_review, private_root, admin_client_a):
    admin_client_a.cookies["django_language"] = "en"
    response = admin_client_a.post(f"/programs/reviews/{on_review.pk}/upload/",
                                   {"files": [upload("invoice.pdf", EXE)]}, follow=True)
    assert "invoice.pdf is not a PDF, PNG, JPEG, ZIP, DOCX or XLSX file" in response.content.decode()
    assert not Material.objects.exists()


def test_several_files_upload_at_once_from_the_page(tenant_a, on_review, private_root, admin_client_a):
    response = admin_client_a.post(f"/programs/reviews/{on_review.pk}/upload/",
                                   {"files": [upload("a.pdf"), upload("b.png", PNG)]})
    assert response.status_code == 302
    assert sorted(Material.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.png"]
    assert len(stored_files(private_root)) == 2
    assert OperationLog.objects.filter(action="programs.material_upload", result="success").count() == 2
    assert OperationLog.objects.filter(action="programs.review_upload", result="success").count() == 1


# ---------------------------------------------------------------------------------------------
# Never under static
# ---------------------------------------------------------------------------------------------

def _static_places() -> list[Path]:
    places = [Path(django_settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                places.append(Path(location))
    return [p.resolve() for p in places]


def test_files_are_written_under_private_media_root_and_not_under_any_static_directory(tenant_a, on_review,
                                                                                       private_root):
    add(tenant_a, on_review, upload("a.pdf"), upload("b.png", PNG))
    files = [p.resolve() for p in stored_files(private_root)]
    assert len(files) == 2
    root = Path(private_root).resolve()
    for path in files:
        assert root in path.parents
        for place in _static_places():
            assert place not in path.parents
    # and nothing of them reached a static directory or MEDIA_ROOT
    for place in _static_places() + ([Path(django_settings.MEDIA_ROOT).resolve()] if django_settings.MEDIA_ROOT
                                     else []):
        if place.exists():
            assert not any(p.name == files[0].name for p in place.rglob(files[0].name))


def test_the_default_private_root_is_outside_static_and_the_check_says_so_otherwise(settings):
    assert private_media_not_served() == []   # the project's own settings
    root = Path(django_settings.PRIVATE_MEDIA_ROOT).resolve()
    assert Path(settings.STATIC_ROOT).resolve() not in [root, *root.parents]
    settings.PRIVATE_MEDIA_ROOT = Path(settings.STATIC_ROOT) / "private"
    assert [e.id for e in private_media_not_served()] == ["programs.E401"]


def test_no_static_url_serves_a_material(tenant_a, on_review, private_root, admin_client_a):
    [material] = add(tenant_a, on_review)
    for prefix in ("/static/", "/media/", "/"):
        assert admin_client_a.get(prefix + material.file.name).status_code == 404


# ---------------------------------------------------------------------------------------------
# Downloading: who may read
# ---------------------------------------------------------------------------------------------

def test_the_owner_downloads_an_attachment_with_the_stored_type_and_nosniff(tenant_a, on_review, admin_client_a):
    [material] = add(tenant_a, on_review, upload("年度报告.pdf", PDF, content_type="text/html"))

    response = admin_client_a.get(f"/programs/materials/{material.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_member_with_programs_view_reads_it_without_manage(tenant_a, on_review):
    [material] = add(tenant_a, on_review)
    viewer = login_client(viewer_without_manage(tenant_a).user)
    assert viewer.get(f"/programs/materials/{material.pk}/").status_code == 200


def test_another_partner_or_a_member_without_view_gets_404_like_a_made_up_id(tenant_a, on_review):
    [material] = add(tenant_a, on_review)
    tenant_b = build_tenant("b")
    url, made_up = f"/programs/materials/{material.pk}/", f"/programs/materials/{material.pk + 1000}/"
    for client in (login_client(tenant_b.admin.user), login_client(member_without_view(tenant_a).user),
                   login_client(tenant_a.member.user)):
        assert client.get(url).status_code == 404
        assert client.get(made_up).status_code == 404
    assert uploads.material_for(actor_of(tenant_b.admin), material.pk) is None


def test_anonymous_is_sent_to_sign_in(tenant_a, on_review, client):
    [material] = add(tenant_a, on_review)
    response = client.get(f"/programs/materials/{material.pk}/")
    assert response.status_code == 302 and "/login" in response["Location"] or "login" in response["Location"]


def test_operators_allowed_to_see_submissions_read_it_other_staff_do_not(tenant_a, on_review):
    [material] = add(tenant_a, on_review)
    url = f"/programs/materials/{material.pk}/"
    staff = UserFactory(username="ops.plain", is_staff=True)
    assert login_client(staff).get(url).status_code == 404
    reviewer = UserFactory(username="ops.reviews", is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_reviewsubmission"))
    assert login_client(reviewer).get(url).status_code == 200
    superuser = UserFactory(username="ops.root", is_staff=True, is_superuser=True)
    assert login_client(superuser).get(url).status_code == 200
    not_staff = UserFactory(username="someone")
    assert login_client(not_staff).get(url).status_code == 404


def test_a_file_gone_from_disk_is_404_not_500(tenant_a, on_review, private_root, admin_client_a):
    [material] = add(tenant_a, on_review)
    for path in stored_files(private_root):
        path.unlink()
    assert admin_client_a.get(f"/programs/materials/{material.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Removing
# ---------------------------------------------------------------------------------------------

def test_removing_a_material_of_a_draft_deletes_its_file(tenant_a, on_review, private_root, admin_client_a,
                                                        django_capture_on_commit_callbacks):
    keep, gone = add(tenant_a, on_review, upload("keep.pdf"), upload("gone.png", PNG))
    url = f"/programs/reviews/{on_review.pk}/materials/{gone.pk}/remove/"
    assert 'id="remove-form"' in admin_client_a.get(url).content.decode()   # a confirmation first
    assert Material.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client_a.post(url).status_code == 302

    assert list(Material.objects.values_list("original_name", flat=True)) == ["keep.pdf"]
    assert [p.read_bytes() for p in stored_files(private_root)] == [PDF]
    assert OperationLog.objects.get(action="programs.review_material_remove").result == "success"


def test_a_submitted_material_cannot_be_removed(tenant_a, on_review, private_root):
    [material] = add(tenant_a, on_review)
    reviews.submit(actor_of(tenant_a.admin), review=on_review)
    with pytest.raises(DomainError) as refused:
        reviews.remove_material(actor_of(tenant_a.admin), review=on_review, material_pk=material.pk)
    assert refused.value.code == ReviewCodes.ALREADY_SUBMITTED
    assert Material.objects.count() == 1 and len(stored_files(private_root)) == 1


def test_another_partners_material_cannot_be_removed(tenant_a, on_review, private_root):
    [material] = add(tenant_a, on_review)
    tenant_b = build_tenant("b")
    enrol(tenant_b.partner)
    with pytest.raises(DomainError) as refused:
        reviews.remove_material(actor_of(tenant_b.admin), review=on_review, material_pk=material.pk)
    assert refused.value.code == Codes.NOT_FOUND
    page = login_client(tenant_b.admin.user).post(f"/programs/reviews/{on_review.pk}/materials/{material.pk}/remove/")
    assert page.status_code == 404
    assert Material.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Who may upload
# ---------------------------------------------------------------------------------------------

def test_a_member_without_programs_manage_cannot_upload(tenant_a, on_review, private_root):
    viewer = viewer_without_manage(tenant_a)
    response = login_client(viewer.user).post(f"/programs/reviews/{on_review.pk}/upload/", {"files": [upload()]})
    assert response.status_code == 403
    with pytest.raises(DomainError) as refused:
        reviews.upload_materials(actor_of(viewer), review=on_review, files=[upload()])
    assert refused.value.code == Codes.FORBIDDEN
    assert not Material.objects.exists() and stored_files(private_root) == []


def test_store_material_refuses_another_partners_submission_and_a_certification_is_accepted(
        tenant_a, on_review, private_root):
    from programs.models import BusinessCertification
    add(tenant_a, on_review)
    submission = ReviewSubmission.objects.get()
    tenant_b = build_tenant("b")
    with pytest.raises(DomainError) as refused:
        uploads.store_material(actor_of(tenant_b.admin), upload=upload(), submission=submission)
    assert refused.value.code == Codes.NOT_FOUND

    certification = BusinessCertification.objects.create(
        partner=tenant_a.partner, company_name="A", credit_code="91110000000000000X", registered_address="x",
        legal_representative="x", bank_name="x", bank_account_holder="x", bank_account_encrypted="x",
        bank_account_last4="1234", invoice_title="x", tax_id="x")
    material = uploads.store_material(actor_of(tenant_a.admin), upload=upload("licence.png", PNG),
                                      certification=certification)
    assert material.certification == certification and material.content_type == "image/png"
    assert len(stored_files(private_root)) == 2
