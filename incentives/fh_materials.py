"""The materials of an FH monthly list (按要求提交材料): checked, stored privately, read only by those allowed.

- Checking: programs.uploads.check_upload — PDF, PNG, JPEG, ZIP, DOCX or XLSX by content AND extension, 1 byte to
  settings.PROGRAM_UPLOAD_MAX_BYTES; at most programs.uploads.MAX_FILES per list (counted with the list's row
  locked, by fh_months.upload_materials). The stored content type is ours, never the browser's.
- Where: programs.storage.private_storage() (PRIVATE_MEDIA_ROOT, outside static and the web root) under
  fh/<partner id>/<random>, no extension; the original name, size and sha256 are data.
- Who reads (`material_for`): a member or key of the owning partner holding incentives.fh, or an operator (staff)
  allowed to see or review FH lists in the admin; anyone else gets None and the view answers 404, as for an id that
  does not exist.
- Removal deletes the file once the deletion commits (`remove_file_after_delete`, a post_delete receiver connected
  in hooks_fh: cascades and the admin too); a refused or rolled-back upload removes what it wrote (`store`'s
  caller wraps the batch in `files_removed_on_error`).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from partnercenter.choices import ActorKind
from programs.storage import private_storage

from .models_fh import FhMaterial

__all__ = ["FOLDER", "OPERATOR_PERMISSIONS", "store", "delete_stored_file", "remove_file_after_delete",
           "files_removed_on_error", "material_for", "open_material"]

FOLDER = "fh/"
FH = "incentives.fh"
OPERATOR_PERMISSIONS = ("incentives.view_fhmaterial", "incentives.view_fhmonth", "incentives.change_fhmonth")


def store(actor, fh_month, checked, written: list) -> FhMaterial:
    """Write one checked upload (programs.uploads.Checked) as a material of `fh_month` (locked by the caller);
    its stored name is appended to `written` before the row is saved."""
    material = FhMaterial(fh_month=fh_month, original_name=checked.name, content_type=checked.content_type,
                          size=checked.size, sha256=checked.sha256,
                          uploaded_by=actor.user if getattr(actor.user, "pk", None) else None,
                          uploaded_at=timezone.now())
    field = FhMaterial._meta.get_field("file")
    name = private_storage().save(field.generate_filename(material, checked.name), checked.upload)
    written.append(name)
    material.file.name = name
    material.save()
    return material


def delete_stored_file(name: str) -> None:
    """Remove a stored file (only under fh/); a missing one is no error."""
    if not name or not name.startswith(FOLDER):
        return
    try:
        private_storage().delete(name)
    except (FileNotFoundError, OSError):
        pass


def remove_file_after_delete(sender, instance, **kwargs) -> None:
    """post_delete of FhMaterial: the file goes once the deletion commits (a rolled-back one keeps it)."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: delete_stored_file(name))


@contextmanager
def files_removed_on_error():
    """Around a transaction that stores materials: on an exception the files written inside are removed (their
    rows roll back with the transaction)."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            delete_stored_file(name)
        raise


def _operator_may_see(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff
                and any(user.has_perm(permission) for permission in OPERATOR_PERMISSIONS))


def material_for(actor, pk) -> FhMaterial | None:
    """The material `pk` if the actor may read it, else None (another partner's is as absent as none)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2 ** 63:
        return None
    if actor.kind == ActorKind.OPERATOR:
        return FhMaterial.objects.filter(pk=pk).first() if _operator_may_see(actor.user) else None
    if actor.is_partner and actor.has_perm(FH):
        return FhMaterial.objects.filter(pk=pk, fh_month__partner_id=actor.partner.pk).first()
    return None


def open_material(material):
    """The stored file, opened for reading (FileNotFoundError when it is gone)."""
    return private_storage().open(material.file.name, "rb")
