"""签署协议: operators publish agreement versions per programme; partner administrators read and sign them
("我已阅读并同意本协议"); an agreement with a new contracting entity (签约主体) changes the partner's
`Partner.contracting_entity` at its effective time — which decides, among others, whether the partner may
recharge online (billing.services.RECHARGE_ENTITIES).

Which agreements a partner must sign (`required_agreements`, the one rule every page, the banner and the
signing service read):
- the published agreements (published_at set) of every programme the partner has an open membership in
  (programs.models.Membership APPLYING or JOINED);
- and, while the partner has no open membership in any programme, those of the programme whose kind is
  its partner type (a solution provider → 解决方案提供商计划, a cloud reseller → 云经销商, a distributor →
  总经销商计划, which it joined offline): being a partner of that type is being in that programme;
- but never a superseded version: once a newer published version of the same programme (a later
  effective time) has taken effect, the older ones are history — not required, not in the banner, not
  signable (an older one signed earlier stays readable).
An agreement of another programme is "not found" for the partner (404), unless it signed it earlier (its
signatures stay readable, e.g. after it left the programme).

Signing (`sign`): a member holding `programs.manage` (not an access key: a person signs), with the
verification code when the partner has 验证码验证 on; the signature keeps the signer, the time, the IP and
the browser. One signature per agreement and partner (the unique constraint): signing again, or two
submits at once, return the one signature and never fail.

The contracting-entity switch (`apply_due`, run by programs.tasks.apply_contracting_entities, and at
signing when the effective time has already passed): a signature whose agreement names an entity is
applied once — claimed with `UPDATE … SET applied_at = now WHERE applied_at IS NULL`, so a second or late
run, or a run racing the signing, changes nothing. Signatures are applied in the order of their
agreements' effective times, and a partner never moves back to an older entity: a signature is claimed
without changing anything when a newer entity-changing version of its programme has already taken effect
(signed or not), or when a newer entity was already applied for the partner. Each switch writes one
operation-log row and one `agreement.entity_changed` event.

The banner (`banners`, registered in hooks_agreements): on every partner page, for members, while a
required agreement that changes the entity is unsigned ("您有新的协议待签署…", with a link to it), and
after signing until its effective time ("尊敬的用户，从XXXX年XX月XX日00:00:00起，您与华为的签约主体将变更为…",
the date in Asia/Shanghai). One SELECT per page, nothing cached across requests.
"""

from datetime import datetime, time

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events import outbox
from partnercenter.actors import SCHEDULER
from partnercenter.choices import ActorKind, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation
from partnercenter.panels import Banner
from partnercenter.templatetags.display import CHINA

from . import event_types_agreements as event_types
from .choices import MembershipStatus, ProgramKind
from .errors_agreements import AgreementCodes
from .models import Agreement, AgreementSignature, Membership

__all__ = [
    "VIEW", "MANAGE", "KIND_OF_PARTNER", "effective_midnight", "required_agreements", "visible_agreements",
    "publish", "sign", "apply_due", "banners", "display_date",
]

VIEW, MANAGE = "programs.view", "programs.manage"
BATCH = 500  # signatures one task run applies (the next run takes the rest)

KIND_OF_PARTNER = {
    PartnerType.SOLUTION_PROVIDER: ProgramKind.SOLUTION_PROVIDER,
    PartnerType.RESELLER: ProgramKind.RESELLER,
    PartnerType.DISTRIBUTOR: ProgramKind.DISTRIBUTOR,
}
OPEN = [MembershipStatus.APPLYING, MembershipStatus.JOINED]


def effective_midnight(day) -> datetime:
    """00:00:00 China time of `day`: when an agreement takes effect."""
    return datetime.combine(day, time.min, tzinfo=CHINA)


def _is_midnight(moment) -> bool:
    return moment.astimezone(CHINA).time() == time.min


# ---------------------------------------------------------------------------------------------
# Which agreements a partner must sign
# ---------------------------------------------------------------------------------------------

def _superseded_condition(now):
    """A condition on Agreement rows: a newer published version of the same programme (a later effective
    time) has already taken effect — the older one is history, nobody has to sign it any more."""
    return Exists(Agreement.objects.filter(
        program_id=OuterRef("program_id"), published_at__isnull=False,
        effective_at__gt=OuterRef("effective_at"), effective_at__lte=now))


def _required_condition(partner, now=None):
    """A condition on Agreement rows: the partner must sign it (see the module docstring)."""
    now = now or timezone.now()
    memberships = Membership.objects.filter(partner_id=partner.pk, status__in=OPEN)
    in_programme = Exists(memberships.filter(program_id=OuterRef("program_id")))
    condition = in_programme
    kind = KIND_OF_PARTNER.get(partner.partner_type)
    if kind is not None:
        condition = condition | (Q(program__kind=kind) & ~Exists(memberships))
    return Q(published_at__isnull=False) & condition & ~_superseded_condition(now)


def _signed_condition(partner):
    return Exists(AgreementSignature.objects.filter(agreement_id=OuterRef("pk"), partner_id=partner.pk))


def required_agreements(partner, now=None):
    """The published agreements the partner must sign (signed or not), superseded versions left out."""
    return Agreement.objects.filter(_required_condition(partner, now))


def visible_agreements(partner, now=None):
    """What the partner's members may open: the agreements it must sign and those it signed."""
    return Agreement.objects.filter(_required_condition(partner, now) | _signed_condition(partner))


# ---------------------------------------------------------------------------------------------
# Operators: publishing
# ---------------------------------------------------------------------------------------------

def _require_operator(actor):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)


def publish(actor, *, agreement_id) -> Agreement:
    """An operator publishes a version: partners see it and must sign it from now on. Its text, entity
    and effective time can no longer change (the admin shows it read-only)."""
    _require_operator(actor)
    agreement = Agreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.agreement_publish", target=agreement,
                   detail={"program": agreement.program_id, "version": agreement.version}) as entry:
        if agreement.contracting_entity and not _is_midnight(agreement.effective_at):
            raise DomainError(AgreementCodes.NOT_EFFECTIVE_MIDNIGHT)
        now = timezone.now()
        if not Agreement.objects.filter(pk=agreement.pk, published_at__isnull=True).update(published_at=now):
            raise DomainError(AgreementCodes.ALREADY_PUBLISHED)
        agreement.published_at = now
        entry.detail["published_at"] = now.isoformat()
    return agreement


# ---------------------------------------------------------------------------------------------
# Partners: signing
# ---------------------------------------------------------------------------------------------

def sign(actor, *, agreement_id, accepted: bool, user_agent: str = "", verification_code=None) -> AgreementSignature:
    """我已阅读并同意本协议: the acting member signs for its partner. Idempotent: an agreement already signed
    returns its signature (nothing new is written)."""
    if not actor.is_partner or not actor.has_perm(MANAGE):
        raise DomainError(Codes.FORBIDDEN)
    if actor.member is None:
        raise DomainError(AgreementCodes.SIGNER_NOT_A_PERSON)
    partner = actor.partner
    agreement = visible_agreements(partner).filter(pk=agreement_id).first()
    if agreement is None:
        raise DomainError(Codes.NOT_FOUND)
    existing = AgreementSignature.objects.filter(agreement=agreement, partner=partner).first()
    if existing is not None:
        return existing
    if not accepted:
        raise DomainError(AgreementCodes.NOT_ACCEPTED)
    with operation(actor, "programs.agreement_sign", target=agreement, verification_code=verification_code,
                   detail={"version": agreement.version, "user_agent": (user_agent or "")[:255]}) as entry:
        signature, created = AgreementSignature.objects.get_or_create(agreement=agreement, partner=partner, defaults={
            "signed_by": actor.user, "signer_name": (actor.member.display_name or actor.user.username)[:64],
            "signed_at": timezone.now(), "ip_address": actor.ip or None, "user_agent": (user_agent or "")[:255]})
        if not created:  # a concurrent submit signed first
            entry.detail["already_signed"] = True
            return signature
        outbox.record(event_types.AGREEMENT_SIGNED, partner=partner, actor=actor, data={
            "agreement_id": agreement.pk, "title": agreement.title, "version": agreement.version,
            "signer": signature.signer_name})
        if agreement.contracting_entity and agreement.effective_at <= signature.signed_at:
            _apply_one(actor, signature.pk, signature.signed_at)
    return signature


# ---------------------------------------------------------------------------------------------
# The contracting-entity switch
# ---------------------------------------------------------------------------------------------

def _due(now):
    return (AgreementSignature.objects.filter(applied_at__isnull=True, agreement__effective_at__lte=now)
            .exclude(agreement__contracting_entity=""))


def apply_due(actor=SCHEDULER, *, now=None) -> int:
    """Apply every signature whose agreement took effect; returns how many switched an entity."""
    now = now or timezone.now()
    pks = list(_due(now).order_by("agreement__effective_at", "signed_at", "pk").values_list("pk", flat=True)[:BATCH])
    return sum(1 for pk in pks if _apply_one(actor, pk, now))


def _apply_one(actor, signature_pk, now) -> bool:
    """Claim one signature and write its entity to the partner (unless a newer one was applied). True when
    the entity changed."""
    signature = AgreementSignature.objects.select_related("agreement").filter(pk=signature_pk).first()
    if signature is None or not signature.agreement.contracting_entity or signature.agreement.effective_at > now:
        return False  # not due (a published agreement does not change)
    agreement = signature.agreement
    with transaction.atomic():
        # The claim names the row only: a condition through a join would make Django write
        # `WHERE id IN (SELECT …)`, which PostgreSQL does not re-check against a concurrent claim.
        if not AgreementSignature.objects.filter(pk=signature_pk, applied_at__isnull=True).update(applied_at=now):
            return False  # applied by another run
        partner = Partner.objects.select_for_update().get(pk=signature.partner_id)
        # Never back to an older entity: a newer entity-changing version of the programme already in
        # effect (signed or not) supersedes this one, and so does a newer entity already applied.
        newer = (Agreement.objects.filter(program_id=agreement.program_id, published_at__isnull=False,
                                          effective_at__gt=agreement.effective_at, effective_at__lte=now)
                 .exclude(contracting_entity="").exists()
                 or AgreementSignature.objects.filter(partner_id=partner.pk, applied_at__isnull=False,
                                                      agreement__effective_at__gt=agreement.effective_at)
                 .exclude(agreement__contracting_entity="").exclude(pk=signature.pk).exists())
        old, new = partner.contracting_entity, agreement.contracting_entity
        changed = not newer and old != new
        with operation(actor, "programs.contracting_entity", target=agreement, partner=partner, detail={
                "signature": signature.pk, "old_entity": old, "new_entity": new, "changed": changed,
                "superseded": newer}):
            if changed:
                Partner.objects.filter(pk=partner.pk).update(contracting_entity=new)
                outbox.record(event_types.ENTITY_CHANGED, partner=partner, actor=actor,
                              key=f"{event_types.ENTITY_CHANGED}:{signature.pk}", data={
                                  "agreement_id": agreement.pk, "title": agreement.title,
                                  "old_entity": old, "new_entity": new})
        return changed


# ---------------------------------------------------------------------------------------------
# The banner
# ---------------------------------------------------------------------------------------------

def display_date(moment) -> str:
    """XXXX年XX月XX日 (zh-hans) / YYYY-MM-DD (en), the day in China time."""
    day = moment.astimezone(CHINA).date()
    return _("%(year)s-%(month)s-%(day)s") % {"year": f"{day:%Y}", "month": f"{day:%m}", "day": f"{day:%d}"}


def banner_rows(partner, now=None) -> list[dict]:
    """One statement: the entity-changing agreements still to sign, and those signed that take effect later."""
    now = now or timezone.now()
    signed = _signed_condition(partner)
    return list(
        Agreement.objects.exclude(contracting_entity="").filter(published_at__isnull=False)
        .annotate(signed=signed)
        .filter((_required_condition(partner, now) & Q(signed=False)) | Q(signed=True, effective_at__gt=now))
        .order_by("effective_at", "pk")
        .values("pk", "title", "version", "contracting_entity", "effective_at", "signed")[:5])


def banners(request) -> list[Banner]:
    actor = request.actor
    if not actor.is_partner or actor.member is None:
        return []
    now = timezone.now()
    shown = []
    for row in banner_rows(actor.partner, now):
        values = {"title": row["title"], "entity": row["contracting_entity"], "date": display_date(row["effective_at"])}
        if row["signed"]:
            shown.append(Banner(_("Dear user, from %(date)s 00:00:00 your contracting entity with Huawei will be "
                                  "%(entity)s.") % values))
            continue
        if row["effective_at"] > now:
            text = _("You have a new agreement to sign: %(title)s. Once you sign it, from %(date)s 00:00:00 your "
                     "contracting entity with Huawei will be %(entity)s.") % values
        else:
            text = _("You have a new agreement to sign: %(title)s. Once you sign it, your contracting entity with "
                     "Huawei will be %(entity)s.") % values
        url = label = ""
        if actor.has_perm(VIEW):
            url = reverse("programs:agreement", args=[row["pk"]])
            label = _("Read and sign") if actor.has_perm(MANAGE) else _("Read it")
        shown.append(Banner(text, url=url, link_label=label, level="warning"))
    return shown
