"""Uploaded materials (年度复核 materials, 商业信息认证 documents): checked, stored privately, served guarded.

- What is accepted: PDF, PNG, JPEG, ZIP, DOCX and XLSX, decided by the file's CONTENT (its magic bytes; a
  DOCX/XLSX must be a readable zip whose [Content_Types].xml declares a Word document / an Excel workbook)
  AND its extension, which must agree: an .exe renamed .pdf, an HTML page, a zip named .docx are refused.
  The stored content type is ours (from the checked kind), never the browser's.
- Size: 1 byte to settings.PROGRAM_UPLOAD_MAX_BYTES, counted on the bytes actually read; at most
  MAX_FILES materials per submission or certification (counted with the owner's row locked).
- Where: programs.storage.private_storage() (PRIVATE_MEDIA_ROOT, outside static and the web root), under a
  random name (programs/<year>/<uuid>, no extension); the original name is kept as data, with the sha256.
  The storage is asked for at each call (not the model field's, fixed when models load), so a
  PRIVATE_MEDIA_ROOT override applies everywhere.
- Who reads: `material_for(actor, pk)` — a member of the owning partner holding programs.view, or an
  operator (staff) allowed to view materials, review submissions or certifications in the admin;
  anyone else gets None (the view answers 404, as for an id that does not exist).
- Who writes: `store_material` — a member of the owning partner holding programs.manage, while the
  submission / certification is DRAFT or RETURNED. Removing a material (a service of its area) deletes
  its file after the commit: a post_delete receiver (connected in hooks_reviews) does it for every
  deletion, including cascades and the admin.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from .choices import ReviewStatus
from .errors_reviews import ReviewCodes
from .models import BusinessCertification, Material, ReviewSubmission
from .storage import private_storage

__all__ = [
    "MAX_FILES", "KINDS", "EXTENSIONS", "ACCEPT", "check_upload", "store_material", "material_for",
    "open_material", "delete_stored_file", "remove_file_after_delete", "max_bytes", "ACTION_LABELS",
    "files_removed_on_error", "Checked",
]

MAX_FILES = 20
PDF, PNG, JPEG, ZIP, DOCX, XLSX = "pdf", "png", "jpeg", "zip", "docx", "xlsx"
KINDS = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    ZIP: "application/zip",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"pdf": PDF, "png": PNG, "jpg": JPEG, "jpeg": JPEG, "zip": ZIP, "docx": DOCX, "xlsx": XLSX}
ACCEPT = ",".join(f".{ext}" for ext in EXTENSIONS)  # the file input's `accept` (a hint; the server decides)
_OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_MAX = 1024 * 1024   # a [Content_Types].xml is a few kB; a bigger one is not read
_EDITABLE = {ReviewStatus.DRAFT, ReviewStatus.RETURNED}   # CertificationStatus has the same two values

ACTION_LABELS = {"programs.material_upload": gettext_lazy("Upload a material")}


def max_bytes() -> int:
    return settings.PROGRAM_UPLOAD_MAX_BYTES


# ---------------------------------------------------------------------------------------------
# Checking a file
# ---------------------------------------------------------------------------------------------

def _clean_name(name: str) -> str:
    """The original name as data: its last path part, no control characters, at most 200 characters
    (keeping the extension)."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".") or "file"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:199 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:200]
    return name


def _extension_kind(name: str) -> str | None:
    stem, dot, ext = name.rpartition(".")
    return EXTENSIONS.get(ext.lower()) if dot and stem else None


def _ooxml_kind(upload) -> str | None:
    """DOCX or XLSX when the zip declares that main part, else None (also for an unreadable zip)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            try:
                info = archive.getinfo("[Content_Types].xml")
            except KeyError:
                return None
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as member:
                declared = member.read(_CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError):
        return None
    for kind, main in _OOXML_MAIN.items():
        if main in declared:
            return kind
    return None


def _is_zip(upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            archive.infolist()
        return True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return False


def _content_kind(head: bytes, upload, wanted: str) -> str | None:
    """What the bytes are, among the accepted kinds (None: none of them)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if wanted in (DOCX, XLSX):
            return _ooxml_kind(upload)
        return ZIP if _is_zip(upload) else None   # a .docx/.xlsx is a zip too: a .zip may hold one
    return None


class Checked:
    """An upload that passed: its clean name, kind, content type, size and sha256."""

    def __init__(self, upload, name, kind, size, sha256):
        self.upload, self.name, self.kind, self.size, self.sha256 = upload, name, kind, size, sha256
        self.content_type = KINDS[kind]


def check_upload(upload) -> Checked:
    """Refuse what may not be stored (DomainError naming the file), else what it is. Reads the file once
    (size and sha256) and leaves it at its start."""
    name = _clean_name(getattr(upload, "name", ""))
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _refusal(ReviewCodes.UPLOAD_TOO_LARGE, name, limit)
    digest, size, head = hashlib.sha256(), 0, b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[:16 - len(head)]
        size += len(chunk)
        if size > limit:
            raise _refusal(ReviewCodes.UPLOAD_TOO_LARGE, name, limit)
        digest.update(chunk)
    if size == 0:
        raise _refusal(ReviewCodes.UPLOAD_EMPTY, name, limit)
    wanted = _extension_kind(name)
    kind = _content_kind(head, upload, wanted) if wanted else None
    upload.seek(0)
    if wanted is None or kind != wanted:
        raise _refusal(ReviewCodes.UPLOAD_TYPE, name, limit)
    return Checked(upload, name, kind, size, digest.hexdigest())


def _refusal(code, name, limit) -> DomainError:
    if code == ReviewCodes.UPLOAD_TOO_LARGE:
        reason = _("%(name)s is larger than %(size)s.") % {"name": name, "size": _megabytes(limit)}
    elif code == ReviewCodes.UPLOAD_EMPTY:
        reason = _("%(name)s is empty.") % {"name": name}
    else:
        reason = _("%(name)s is not a PDF, PNG, JPEG, ZIP, DOCX or XLSX file, or its content does not match its "
                   "name.") % {"name": name}
    return DomainError(code, reason, file=name)


def _megabytes(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} B"


# ---------------------------------------------------------------------------------------------
# Storing
# ---------------------------------------------------------------------------------------------

def store_material(actor, *, upload, submission=None, certification=None, checked: Checked | None = None) -> Material:
    """Check `upload` and store it as a material of `submission` (a ReviewSubmission) or `certification`
    (a BusinessCertification) of the actor's partner. The owner must be DRAFT or RETURNED and hold fewer
    than MAX_FILES materials. Writes its own operation-log row (programs.material_upload) and may run
    inside the caller's transaction: a refusal here removes the file it wrote; a caller whose own
    transaction may roll back afterwards wraps it in `files_removed_on_error()`. `checked`: the result of
    an earlier `check_upload(upload)` (a caller that checked a batch first)."""
    if (submission is None) == (certification is None):
        raise ValueError("store_material takes a submission or a certification")
    owner = submission if submission is not None else certification
    written = None
    try:
        with operation(actor, "programs.material_upload", target=owner,
                       detail={"file": _clean_name(getattr(upload, "name", ""))}) as entry:
            if not (actor.is_partner and actor.has_perm("programs.manage")):
                raise DomainError(Codes.FORBIDDEN)
            model = ReviewSubmission if submission is not None else BusinessCertification
            locked = model.objects.select_for_update().filter(pk=owner.pk, partner_id=actor.partner.pk).first()
            if locked is None:
                raise DomainError(Codes.NOT_FOUND)
            if locked.status not in _EDITABLE:
                raise DomainError(ReviewCodes.MATERIAL_LOCKED)
            if locked.materials.count() >= MAX_FILES:
                raise DomainError(ReviewCodes.UPLOAD_TOO_MANY, _("At most %(count)d files can be uploaded.")
                                  % {"count": MAX_FILES})
            checked = checked or check_upload(upload)
            material = Material(
                partner=actor.partner, submission=locked if submission is not None else None,
                certification=locked if certification is not None else None, original_name=checked.name,
                content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                uploaded_by=actor.user if getattr(actor.user, "pk", None) else None, uploaded_at=timezone.now())
            field = Material._meta.get_field("file")
            written = private_storage().save(field.generate_filename(material, checked.name), checked.upload)
            material.file.name = written
            material.save()
            entry.detail.update(material=material.pk, size=checked.size, sha256=checked.sha256)
    except BaseException:
        if written:
            delete_stored_file(written)
        raise
    collector = _written.get()
    if collector is not None:
        collector.append(written)
    return material


_written: ContextVar[list | None] = ContextVar("programs_uploads_written", default=None)


@contextmanager
def files_removed_on_error():
    """Around a transaction that stores materials and may still fail afterwards: on an exception the
    files stored inside are removed (their rows roll back with the transaction)."""
    names = []
    token = _written.set(names)
    try:
        yield names
    except BaseException:
        for name in names:
            delete_stored_file(name)
        raise
    finally:
        _written.reset(token)


def delete_stored_file(name: str) -> None:
    """Remove a stored file (only under programs/, the materials' folder); a missing one is no error."""
    if not name or not name.startswith("programs/"):
        return
    try:
        private_storage().delete(name)
    except (FileNotFoundError, OSError):
        pass


def remove_file_after_delete(sender, instance, **kwargs) -> None:
    """post_delete of Material: the file goes once the deletion commits (a rolled-back one keeps it)."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: delete_stored_file(name))


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def _operator_may_see(user, material) -> bool:
    if not (user is not None and user.is_active and user.is_staff):
        return False
    if user.has_perm("programs.view_material"):
        return True
    if material.submission_id is not None:
        return user.has_perm("programs.view_reviewsubmission") or user.has_perm("programs.change_reviewsubmission")
    return user.has_perm("programs.view_businesscertification") or \
        user.has_perm("programs.change_businesscertification")


def material_for(actor, pk) -> Material | None:
    """The material `pk` if the actor may read it, else None (another partner's is as absent as none)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2 ** 63:
        return None
    if actor.kind == ActorKind.OPERATOR:
        material = Material.objects.filter(pk=pk).first()
        return material if material is not None and _operator_may_see(actor.user, material) else None
    if actor.is_partner and actor.kind == ActorKind.MEMBER and actor.has_perm("programs.view"):
        return Material.objects.filter(pk=pk, partner_id=actor.partner.pk).first()
    return None


def open_material(material):
    """The stored file, opened for reading (FileNotFoundError when it is gone)."""
    return private_storage().open(material.file.name, "rb")
