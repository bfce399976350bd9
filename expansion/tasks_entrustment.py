"""销售拓展任务委托: a cloud reseller entrusts the operation of its customers to its distributor, and cancels it.

Huawei's notice (销售拓展任务委托须知, NOTICE below) is shown before the reseller agrees: it opens its customers'
contact information to the distributor it is associated with, which supports the continued operation of
those customers (guiding them to higher-end services, reminding them of renewals, …); it may cancel the
entrustment at any time, from its own side.

- `entrust`: a cloud reseller's member with expansion.entrust (it opens the whole customer book to the
  distributor: not every member who works sales tasks may), having read the notice and agreed to it, and
  with a verification code when the partner has 验证码验证 on (a sensitive write,
  partnercenter.verification); its distributor must be active. One active entrustment per reseller is a
  partial unique constraint (entrustment_one_active_per_reseller): of two concurrent requests one entrusts,
  the other is told it already did (the IntegrityError is caught).
- While it is active the distributor's members who may read a reseller's book (resellers.view, and
  customers.view or customers.view_all) see the reseller's customers, their contacts and their sales tasks
  (expansion.selectors_tasks); afterwards nothing of them.
- `cancel_entrustment`: a member with expansion.entrust (and the code, as above), any time; a conditional
  UPDATE from ACTIVE, so a second cancel changes nothing and is refused.
- Both sides hear of either (`expansion.entrustment_started` / `expansion.entrustment_cancelled`), and both
  writes are in the reseller's operation log.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import PartnerStatus, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from .choices import EntrustmentStatus
from .errors_tasks import TaskCodes
from .event_types_tasks import ENTRUSTMENT_CANCELLED, ENTRUSTMENT_STARTED
from .models import Entrustment

__all__ = ["ACTION_LABELS", "ENTRUST", "NOTICE_TITLE", "NOTICE", "entrust_refusal", "entrust", "cancel_entrustment"]

ENTRUST = "expansion.entrust"

# partner-center-docs 004: 销售拓展任务委托须知 (shown in both languages through the catalogue)
NOTICE_TITLE = gettext_lazy("Notice on entrusting sales expansion tasks")
NOTICE = gettext_lazy(
    "You voluntarily open your customers' contact information to the distributor you are associated with, and "
    "entrust the distributor with supporting the continued operation of your customers, including but not "
    "limited to guiding customers to buy higher-end Huawei Cloud services and reminding them of renewals when "
    "their resources expire. If you no longer wish to entrust your distributor with supporting the continued "
    "operation of your customers, you can cancel the entrustment authorization in the cloud reseller center.")

ACTION_LABELS = {
    "expansion.entrust": gettext_lazy("Entrust customers to the distributor"),
    "expansion.entrust_cancel": gettext_lazy("Cancel the entrustment to the distributor"),
}


def _require_entruster(actor):
    if not (actor.is_partner and actor.has_perm(ENTRUST)):
        raise DomainError(Codes.FORBIDDEN)


def entrust_refusal(partner) -> DomainError | None:
    """Why `partner` cannot entrust its customers to its distributor now (None: it can)."""
    if partner.partner_type != PartnerType.RESELLER or partner.distributor_id is None:
        return DomainError(TaskCodes.NOT_A_RESELLER)
    if partner.distributor.status != PartnerStatus.ACTIVE:
        return DomainError(TaskCodes.DISTRIBUTOR_INACTIVE)
    return None


def _events(type_code, entrustment, actor):
    reseller, distributor = entrustment.reseller, entrustment.distributor
    data = {"reseller": reseller.name, "reseller_id": reseller.domain_id, "distributor": distributor.name,
            "entrustment_id": entrustment.pk}
    outbox.record(type_code, partner=reseller, actor=actor, data={**data, "role": "reseller"})
    outbox.record(type_code, partner=distributor, actor=actor, data={**data, "role": "distributor"})


def entrust(actor, *, consent: bool, verification_code=None) -> Entrustment:
    """The actor's partner, a cloud reseller, entrusts its customers to its distributor (having agreed to
    the notice; `verification_code` when the partner asks for codes)."""
    partner = actor.partner
    with operation(actor, "expansion.entrust", detail={"consent": bool(consent)},
                   verification_code=verification_code) as entry:
        _require_entruster(actor)
        refusal = entrust_refusal(partner)
        if refusal is not None:
            raise refusal
        if consent is not True:
            raise DomainError(TaskCodes.CONSENT_REQUIRED)
        try:
            with transaction.atomic():
                entrustment = Entrustment.objects.create(reseller=partner, distributor_id=partner.distributor_id,
                                                         created_by=actor.label[:150])
        except IntegrityError:
            # entrustment_one_active_per_reseller: entrusted already (or by a concurrent request a moment ago);
            # the constraint decides, not a read before the insert
            raise DomainError(TaskCodes.ALREADY_ENTRUSTED) from None
        entrustment.reseller, entrustment.distributor = partner, partner.distributor
        entry.target = partner.distributor  # the log reads "entrusted to <distributor>"
        entry.detail["entrustment"] = entrustment.pk
        _events(ENTRUSTMENT_STARTED, entrustment, actor)
    return entrustment


def cancel_entrustment(actor, *, verification_code=None) -> Entrustment:
    """The reseller cancels its active entrustment: from now on the distributor sees none of its customers
    (`verification_code` when the partner asks for codes)."""
    partner = actor.partner
    with operation(actor, "expansion.entrust_cancel", verification_code=verification_code) as entry:
        _require_entruster(actor)
        active = Entrustment.objects.filter(reseller=partner, status=EntrustmentStatus.ACTIVE)
        entrustment = active.select_related("distributor").first()
        now = timezone.now()
        # Conditional: of two concurrent cancels one moves it; the other finds nothing active.
        if entrustment is None or not active.filter(pk=entrustment.pk).update(
                status=EntrustmentStatus.CANCELLED, cancelled_at=now):
            raise DomainError(TaskCodes.NOT_ENTRUSTED)
        entrustment.status, entrustment.cancelled_at, entrustment.reseller = EntrustmentStatus.CANCELLED, now, partner
        entry.target = entrustment.distributor
        entry.detail["entrustment"] = entrustment.pk
        _events(ENTRUSTMENT_CANCELLED, entrustment, actor)
    return entrustment
