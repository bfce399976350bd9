"""The partner checks an FH monthly list and submits it (合作伙伴核对专职人员数量和激励金额，并按要求提交材料); operators
review it (初审).

Rules (the list's generation, deadline and lapse: fh_generation):
- A member or key of the list's partner holding `incentives.fh` acts on its own lists only (another partner's is
  not found). It may change a list while it is GENERATED or RETURNED and `now <= deadline` (the 14 working days;
  a RETURNED list keeps its deadline): untick specialists it does not confirm (`check_lines`: the list's `amount`
  becomes the sum of the lines it keeps), add and remove materials (fh_materials), and submit (`submit`: at least
  one line kept and one material; with the partner's verification codes on, the code) → SUBMITTED.
  Past the deadline every change is refused (DEADLINE_PASSED), even before the lapse task has run; a submitted,
  final or lapsed list is refused (MONTH_CLOSED).
- Each write locks the list's row and reads its status and deadline again under the lock; the submission moves
  it with a conditional UPDATE (`status IN (generated, returned) AND deadline >= now`), so a submission racing the
  lapse (which moves only `deadline < now`) ends with exactly one of them.
- Operators decide on a SUBMITTED list only (`finalise` → FINAL, `return_list` with a reason → RETURNED), with a
  conditional UPDATE: two decisions at once, one wins. The partner is told (incentives.fh_list_reviewed).
Every write goes through partnercenter.oplog.operation (refusals included; operators' filed under the partner).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import NOT_SENSITIVE, operation
from programs import uploads

from . import fh_materials
from .choices import FH_OPEN_MONTHS, FhMonthStatus
from .errors_fh import FhCodes
from .event_types_fh import FH_LIST_REVIEWED
from .fh_generation import event_data
from .fh_qualification import clean_reason, require_member, require_operator
from .models_fh import FhLine, FhMonth

__all__ = ["ACTION_LABELS", "may_edit", "check_lines", "upload_materials", "remove_material", "submit",
           "finalise", "return_list"]

ACTION_LABELS = {
    "incentives.fh_check": gettext_lazy("Check an FH monthly list"),
    "incentives.fh_upload": gettext_lazy("Upload FH materials"),
    "incentives.fh_material_remove": gettext_lazy("Remove an FH material"),
    "incentives.fh_submit": gettext_lazy("Submit an FH monthly list"),
    "incentives.fh_finalise": gettext_lazy("Make an FH monthly list final"),
    "incentives.fh_return": gettext_lazy("Return an FH monthly list"),
}


def may_edit(fh_month, now=None) -> bool:
    now = now or timezone.now()
    return fh_month.status in FH_OPEN_MONTHS and now <= fh_month.deadline


def _pk(value):
    value = getattr(value, "pk", value)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 63 else None


def _locked_own(actor, fh_month) -> FhMonth:
    pk = _pk(fh_month)
    row = FhMonth.objects.select_for_update().filter(pk=pk, partner_id=actor.partner.pk).first() if pk else None
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    return row


def _require_editable(row, now) -> None:
    if row.status == FhMonthStatus.LAPSED or (row.status in FH_OPEN_MONTHS and now > row.deadline):
        raise DomainError(FhCodes.DEADLINE_PASSED)
    if row.status not in FH_OPEN_MONTHS:
        raise DomainError(FhCodes.MONTH_CLOSED)


def check_lines(actor, *, fh_month, kept) -> FhMonth:
    """核对: keep the lines whose pks are in `kept` (the others are unticked); the amount follows."""
    wanted = {_pk(value) for value in kept or ()}
    with operation(actor, "incentives.fh_check", target=fh_month if isinstance(fh_month, FhMonth) else None,
                   detail={"kept": sorted(pk for pk in wanted if pk)[:100]}) as entry:
        require_member(actor)
        row = _locked_own(actor, fh_month)
        entry.target = row
        _require_editable(row, timezone.now())
        lines = list(FhLine.objects.filter(fh_month=row).only("pk", "amount"))
        if None in wanted or not wanted <= {line.pk for line in lines}:
            raise DomainError(Codes.PARAMETER, _("Choose specialists of this list."))
        FhLine.objects.filter(fh_month=row).update(
            included=Case(When(pk__in=wanted or [0], then=Value(True)), default=Value(False)))
        row.amount = sum((line.amount for line in lines if line.pk in wanted), start=Decimal("0.00"))
        row.save(update_fields=["amount"])
        entry.detail["amount"] = str(row.amount)
    return row


def upload_materials(actor, *, fh_month, files: list) -> list:
    """Add files to the list's materials: every file is checked first (a refused one stores none), then each is
    stored (fh_materials); at most programs.uploads.MAX_FILES per list."""
    names = [uploads._clean_name(getattr(upload, "name", "")) for upload in files or ()]
    with fh_materials.files_removed_on_error() as written:
        with operation(actor, "incentives.fh_upload", target=fh_month if isinstance(fh_month, FhMonth) else None,
                       detail={"files": names}) as entry:
            require_member(actor)
            row = _locked_own(actor, fh_month)
            entry.target = row
            _require_editable(row, timezone.now())
            if not files:
                raise DomainError(Codes.PARAMETER, _("Choose the files to upload."))
            present = row.materials.count()
            if present + len(files) > uploads.MAX_FILES:
                raise DomainError(FhCodes.TOO_MANY_FILES, _(
                    "At most %(count)d files can be uploaded; %(present)d are already there.")
                    % {"count": uploads.MAX_FILES, "present": present})
            checked = [uploads.check_upload(upload) for upload in files]
            materials = [fh_materials.store(actor, row, item, written) for item in checked]
            entry.detail["materials"] = [material.pk for material in materials]
    return materials


def remove_material(actor, *, fh_month, material_pk) -> None:
    """Remove one material while the list may still change; the file goes on commit."""
    with operation(actor, "incentives.fh_material_remove", target=fh_month if isinstance(fh_month, FhMonth) else None,
                   detail={"material": _pk(material_pk)}) as entry:
        require_member(actor)
        row = _locked_own(actor, fh_month)
        material = row.materials.filter(pk=_pk(material_pk) or 0).first()
        if material is None:
            raise DomainError(Codes.NOT_FOUND)
        _require_editable(row, timezone.now())
        entry.target = material
        entry.detail["file"] = material.original_name
        material.delete()


def submit(actor, *, fh_month, verification_code=None) -> FhMonth:
    """提交: the checked list and its materials go to the operators' review, before the deadline."""
    code = verification_code if actor.kind == ActorKind.MEMBER else NOT_SENSITIVE
    with operation(actor, "incentives.fh_submit", target=fh_month if isinstance(fh_month, FhMonth) else None,
                   verification_code=code) as entry:
        require_member(actor)
        row = _locked_own(actor, fh_month)
        entry.target = row
        now = timezone.now()
        _require_editable(row, now)
        if not row.lines.filter(included=True).exists():
            raise DomainError(FhCodes.NO_LINES_KEPT)
        if not row.materials.exists():
            raise DomainError(FhCodes.NO_MATERIALS)
        moved = FhMonth.objects.filter(pk=row.pk, status__in=FH_OPEN_MONTHS, deadline__gte=now).update(
            status=FhMonthStatus.SUBMITTED, submitted_at=now, submitted_by=actor.user, reason="")
        if not moved:
            raise DomainError(FhCodes.DEADLINE_PASSED)
        entry.detail.update(amount=str(row.amount), resubmitted=row.status == FhMonthStatus.RETURNED)
    row.refresh_from_db()
    return row


def _decide(actor, fh_month, status, reason, action, *, reason_required):
    with operation(actor, action, target=fh_month, partner=fh_month.partner,
                   detail={"reason": (reason or "").strip()[:500]}):
        require_operator(actor)
        reason = clean_reason(reason, required=reason_required)
        now = timezone.now()
        moved = FhMonth.objects.filter(pk=fh_month.pk, status=FhMonthStatus.SUBMITTED).update(
            status=status, decided_at=now, decided_by=actor.user, reason=reason)
        if not moved:
            raise DomainError(FhCodes.MONTH_NOT_SUBMITTED)
        row = FhMonth.objects.select_related("partner").get(pk=fh_month.pk)
        outbox.record(FH_LIST_REVIEWED, partner=row.partner, actor=actor,
                      data=event_data(row, decision=status, reason=reason))
    return row


def finalise(actor, *, fh_month, reason: str = "") -> FhMonth:
    """定稿: an operator accepts a submitted list; its amount counts for the quarterly payment."""
    return _decide(actor, fh_month, FhMonthStatus.FINAL, reason, "incentives.fh_finalise", reason_required=False)


def return_list(actor, *, fh_month, reason: str) -> FhMonth:
    """退回修改: an operator returns a submitted list with a reason; the deadline still holds."""
    return _decide(actor, fh_month, FhMonthStatus.RETURNED, reason, "incentives.fh_return", reason_required=True)
