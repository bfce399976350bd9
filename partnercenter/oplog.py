"""Every write is recorded: `operation()` wraps a service's transaction and writes its OperationLog row.

A success is logged inside the transaction (it commits with the change); a refusal is logged after
the rollback, so the log shows failed attempts too while the data shows nothing changed. A service that
finds nothing to do (a form saved unchanged) says so with `entry.nothing_done()`: no row, since nothing
happened and nothing was refused.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import verification
from .choices import ActorKind, OperationResult
from .errors import DomainError
from .models import OperationLog

__all__ = ["operation", "require_code", "write_many", "Entry", "NOT_SENSITIVE", "ACTION_LABELS", "register_actions"]

NOT_SENSITIVE = object()

# What the 操作记录 page shows for each action code; domain apps add theirs with register_actions().
ACTION_LABELS = {
    "access_key.create": _("Create access key"),
    "access_key.enable": _("Enable access key"),
    "access_key.disable": _("Disable access key"),
    "access_key.delete": _("Delete access key"),
    "role.create": _("Create role"),
    "role.update": _("Change role"),
    "role.delete": _("Delete role"),
    "member.set_roles": _("Change a member's roles"),
    "member.update": _("Change member"),
    "member.invite": _("Invite member"),
    "member.revoke_invitation": _("Revoke invitation"),
    "member.join": _("Join by invitation"),
    "reseller.assign_manager": _("Assign account manager to cloud reseller"),
    "partner.verification_on": _("Turn verification codes on"),
    "partner.verification_off": _("Turn verification codes off"),
    "device.add_totp": _("Add authenticator app"),
    "device.add_email": _("Add e-mail device"),
    "device.confirm": _("Confirm device"),
    "device.remove": _("Remove device"),
}


def register_actions(labels: dict) -> None:
    ACTION_LABELS.update(labels)


@dataclass
class Entry:
    """What the running service tells the log about its target and outcome."""

    target: object = None
    detail: dict = field(default_factory=dict)
    logged: bool = True

    def nothing_done(self) -> None:
        """The write turned out to change nothing: `operation()` logs no row for it (a refusal after this
        is still logged as a failure)."""
        self.logged = False

    def describe(self):
        target = self.target
        if target is None:
            return "", "", ""
        target_id = getattr(target, "domain_id", None) or getattr(target, "ak", None) or getattr(target, "pk", "")
        return type(target).__name__, str(target_id or ""), str(target)[:255]


def _write(actor, action, entry: Entry, result, error_code="", partner=None):
    target_type, target_id, target_label = entry.describe()
    partner = partner or actor.partner
    OperationLog.objects.create(
        partner=partner,
        actor_kind=actor.kind if actor.kind in ActorKind.values else ActorKind.ANONYMOUS,
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        access_key=actor.access_key.ak if actor.access_key is not None else "",
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        result=result,
        error_code=error_code,
        detail=entry.detail,
        ip=actor.ip,
    )


@contextmanager
def operation(actor, action: str, *, target=None, verification_code=NOT_SENSITIVE, detail=None, partner=None,
              always_code: bool = False):
    """Run one write: check the verification code if the operation is sensitive, open a transaction,
    let the caller do the work, and log the outcome either way.

    Pass `verification_code` (even None) for a sensitive operation. The code is checked before the
    transaction opens so that django-otp's failure counter survives the rollback. `partner` files the
    log under another partner than the actor's (an operator deciding on a partner's recharge).
    `always_code`: every member is asked for the code, whatever the partner's switch says (激励返点提现).
    """
    entry = Entry(target=target, detail=dict(detail or {}))
    try:
        if verification_code is not NOT_SENSITIVE:
            verification.require(actor, verification_code, always=always_code)
        with transaction.atomic():
            yield entry
            if entry.logged:
                _write(actor, action, entry, OperationResult.SUCCESS, partner=partner)
    except DomainError as exc:
        _write(actor, action, entry, OperationResult.FAILURE, exc.code, partner=partner)
        raise


def require_code(actor, action: str, verification_code) -> None:
    """The verification code for a batch (checked once, before its per-item operations); a refusal is
    logged as a failed `action` like any other refused write."""
    try:
        verification.require(actor, verification_code)
    except DomainError as exc:
        _write(actor, action, Entry(), OperationResult.FAILURE, exc.code)
        raise


def write_many(actor, action, rows) -> None:
    """The operation-log rows of a batch's items, inserted at once: for each (target, detail, error_code)
    the row `operation()` writes for one write ("" for a success). Call it inside the batch's transaction."""
    kind = actor.kind if actor.kind in ActorKind.values else ActorKind.ANONYMOUS
    user = actor.user if getattr(actor.user, "pk", None) else None
    access_key = actor.access_key.ak if actor.access_key is not None else ""
    logs = []
    for target, detail, error_code in rows:
        target_type, target_id, target_label = Entry(target=target).describe()
        logs.append(OperationLog(
            partner=actor.partner, actor_kind=kind, actor_user=user, access_key=access_key, actor_label=actor.label,
            action=action, target_type=target_type, target_id=target_id, target_label=target_label,
            result=OperationResult.FAILURE if error_code else OperationResult.SUCCESS, error_code=error_code,
            detail=detail, ip=actor.ip))
    OperationLog.objects.bulk_create(logs)
