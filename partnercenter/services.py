"""Every write of the core: access keys, roles, members and invitations, security settings.

One function per use case, actor first, keyword-only arguments. Each runs inside `operation()`,
which checks the verification code where the operation is sensitive, opens the transaction and
writes the operation log. Objects are looked up through selectors, so another partner's id is
"not found".
"""

import secrets
import string
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import secretbox, selectors
from .actors import Actor, effective_permissions, member_permissions, team_of
from .choices import AccessKeyStatus, ActorKind, InvitationStatus
from .errors import Codes, DomainError
from .models import AccessKey, EmailCodeDevice, Invitation, Member, Partner, Role, User
from .oplog import operation
from .permissions import ALL_CODES, label_for

__all__ = [
    "MAX_KEYS_PER_USER", "INVITATION_VALIDITY", "create_access_key", "set_access_key_enabled", "delete_access_key",
    "assign_reseller_account_manager", "create_role", "update_role", "delete_role", "save_member", "set_member_roles",
    "update_member", "invite_member",
    "send_invitation", "revoke_invitation", "pending_invitation", "accept_invitation", "set_verification_enabled", "start_totp_device", "add_email_device", "confirm_device",
    "remove_device", "expire_invitations",
]

MAX_KEYS_PER_USER = 2  # as Huawei IAM: two access keys per user
INVITATION_VALIDITY = timedelta(days=7)
_AK_ALPHABET = string.ascii_uppercase + string.digits
_SK_ALPHABET = string.ascii_letters + string.digits


def _require(actor, permission: str):
    if not actor.has_perm(permission):
        raise DomainError(Codes.FORBIDDEN)


# ---------------------------------------------------------------------------------------------
# Access keys (我的凭证)
# ---------------------------------------------------------------------------------------------

def create_access_key(actor, *, description: str = "", verification_code=None) -> tuple[AccessKey, str]:
    """Create an AK/SK pair for the actor's partner (or, for a customer user, their account).
    Returns the key and the plain SK, which is never shown again."""
    if actor.kind not in (ActorKind.MEMBER, ActorKind.CUSTOMER_USER):
        raise DomainError(Codes.FORBIDDEN)
    if actor.is_partner:
        _require(actor, "credentials.manage")
    elif not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    with operation(actor, "access_key.create", verification_code=verification_code) as entry:
        # Lock the user row so two concurrent requests cannot both pass the count.
        User.objects.select_for_update().filter(pk=actor.user.pk).first()
        if AccessKey.objects.filter(user=actor.user).count() >= MAX_KEYS_PER_USER:
            raise DomainError(
                Codes.LIMIT_REACHED,
                _("You already have %(count)d access keys; delete one first.") % {"count": MAX_KEYS_PER_USER},
            )
        secret = "".join(secrets.choice(_SK_ALPHABET) for _i in range(40))
        key = AccessKey.objects.create(
            ak="".join(secrets.choice(_AK_ALPHABET) for _i in range(20)),
            sk_encrypted=secretbox.encrypt(secret),
            user=actor.user,
            partner=actor.partner if actor.is_partner else None,
            description=description.strip()[:255],
        )
        entry.target = key
        entry.detail = {"description": key.description}
    return key, secret


def _key_for(actor, key_id) -> AccessKey:
    key = selectors.access_keys_for(actor).filter(pk=key_id).first()
    if key is None:
        raise DomainError(Codes.NOT_FOUND)
    return key


def set_access_key_enabled(actor, *, key_id, enabled: bool, verification_code=None) -> AccessKey:
    key = _key_for(actor, key_id)
    action = "access_key.enable" if enabled else "access_key.disable"
    with operation(actor, action, target=key, verification_code=verification_code):
        key.status = AccessKeyStatus.ACTIVE if enabled else AccessKeyStatus.DISABLED
        key.save(update_fields=["status"])
    return key


def delete_access_key(actor, *, key_id, verification_code=None) -> None:
    key = _key_for(actor, key_id)
    with operation(actor, "access_key.delete", target=key, verification_code=verification_code):
        key.delete()


# ---------------------------------------------------------------------------------------------
# Roles (组织 ▸ 角色)
# ---------------------------------------------------------------------------------------------

def _clean_permissions(actor, permissions) -> list[str]:
    unknown = set(permissions) - ALL_CODES
    if unknown:
        raise DomainError(Codes.PARAMETER, _("Unknown permissions: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    if not actor.partner.is_distributor:
        permissions = [p for p in permissions if not p.startswith("resellers.")]
    return sorted(set(permissions))


def _within_own_rights(actor, codes) -> None:
    """A member hands out (or takes away) only rights it holds itself, so no one climbs above their own
    rights by editing a role or another member's roles."""
    beyond = set(effective_permissions(actor.partner, codes)) - actor.permissions
    if beyond:
        raise DomainError(Codes.FORBIDDEN, _("You cannot grant or remove rights you do not hold: %(rights)s") % {
            "rights": ", ".join(sorted(label_for(code) for code in beyond))})


def _role_for(actor, role_id) -> Role:
    role = selectors.roles_for(actor).filter(pk=role_id).first()
    if role is None:
        raise DomainError(Codes.NOT_FOUND)
    return role


def create_role(actor, *, name: str, description: str = "", permissions=(), verification_code=None) -> Role:
    _require(actor, "org.manage_roles")
    name = (name or "").strip()
    if not name:
        raise DomainError(Codes.PARAMETER, _("A role needs a name."))
    permissions = _clean_permissions(actor, permissions)
    with operation(actor, "role.create", verification_code=verification_code) as entry:
        _within_own_rights(actor, permissions)
        if Role.objects.filter(partner=actor.partner, name=name).exists():
            raise DomainError(Codes.CONFLICT, _("A role with this name already exists."))
        role = Role.objects.create(
            partner=actor.partner, name=name, description=description.strip(), permissions=permissions,
        )
        entry.target = role
        entry.detail = {"permissions": role.permissions}
    return role


def update_role(actor, *, role_id, name: str, description: str = "", permissions=(), verification_code=None) -> Role:
    _require(actor, "org.manage_roles")
    role = _role_for(actor, role_id)
    if role.is_administrator:
        raise DomainError(Codes.FORBIDDEN, _("The built-in administrator role cannot be changed."))
    name = (name or "").strip()
    if not name:
        raise DomainError(Codes.PARAMETER, _("A role needs a name."))
    permissions = _clean_permissions(actor, permissions)
    with operation(actor, "role.update", target=role, verification_code=verification_code) as entry:
        before = list(role.permissions)
        _within_own_rights(actor, set(before) ^ set(permissions))
        if Role.objects.filter(partner=actor.partner, name=name).exclude(pk=role.pk).exists():
            raise DomainError(Codes.CONFLICT, _("A role with this name already exists."))
        role.name, role.description, role.permissions = name, description.strip(), permissions
        role.save(update_fields=["name", "description", "permissions"])
        entry.detail = {"before": before, "after": role.permissions}
    return role


def delete_role(actor, *, role_id, verification_code=None) -> None:
    _require(actor, "org.manage_roles")
    role = _role_for(actor, role_id)
    if role.is_administrator:
        raise DomainError(Codes.FORBIDDEN, _("The built-in administrator role cannot be deleted."))
    with operation(actor, "role.delete", target=role, verification_code=verification_code):
        if role.members.exists():
            raise DomainError(Codes.CONFLICT, _("Members still hold this role; take it from them first."))
        role.delete()


def _roles_from_ids(actor, role_ids) -> list[Role]:
    role_ids = {int(r) for r in role_ids}
    roles = list(Role.objects.filter(partner=actor.partner, pk__in=role_ids))
    if len(roles) != len(role_ids):
        raise DomainError(Codes.NOT_FOUND)
    return roles


def _member_for(actor, member_id) -> Member:
    member = selectors.members_for(actor).filter(pk=member_id).first()
    if member is None:
        raise DomainError(Codes.NOT_FOUND)
    return member


def _data_scope(member) -> tuple[frozenset, frozenset | None]:
    """What a member may see, read from the database now: its rights, and — unless it sees the whole
    book — its team tree (None when it sees the whole book)."""
    member = Member.objects.select_related("partner").get(pk=member.pk)
    permissions = member_permissions(member)
    return permissions, None if "customers.view_all" in permissions else team_of(member)


def _widens(before, after) -> bool:
    (rights_before, team_before), (rights_after, team_after) = before, after
    if rights_after - rights_before:
        return True
    return team_before is not None and team_after is not None and bool(team_after - team_before)


def save_member(actor, *, member_id, details: dict | None = None, role_ids=None, verification_code=None) -> Member:
    """组织 ▸ 人员's one form: a member's details (name, title, supervisor, active — org.manage_members) and
    roles (org.manage_roles, sensitive) change together in one transaction, or not at all.

    Rules checked with the partner's row locked, after the change and before it commits: the partner
    keeps an active administrator; the actor changes neither its own supervisor, roles nor status;
    it gives or takes only roles within its own rights; and nothing widens what the actor itself
    may see (its rights, or the team tree its customer scope follows).
    """
    if details is not None:
        _require(actor, "org.manage_members")
    if role_ids is not None:
        _require(actor, "org.manage_roles")
    member = _member_for(actor, member_id)
    if details is None and role_ids is None:
        return member
    roles = _roles_from_ids(actor, role_ids) if role_ids is not None else None
    supervisor_id = (details or {}).get("supervisor_id")
    supervisor = _member_for(actor, supervisor_id) if supervisor_id else None
    sensitive = {} if roles is None else {"verification_code": verification_code}
    # Filed as a role change whenever the roles change (sensitive, and what 操作记录 filters for).
    roles_change = roles is not None and set(member.roles.all()) != set(roles)
    action = "member.set_roles" if roles_change or details is None else "member.update"
    with operation(actor, action, target=member, **sensitive) as entry:
        # One member change at a time; no_key so the partner's other writes (which reference the row) go on.
        Partner.objects.select_for_update(no_key=True).filter(pk=actor.partner.pk).first()
        before = _data_scope(actor.member)
        if details is not None:
            entry.detail.update(_change_details(actor, member, details, supervisor))
        if roles is not None:
            entry.detail.update(_change_roles(actor, member, roles))
        if not Member.objects.filter(partner=actor.partner, roles__is_administrator=True, user__is_active=True).exists():
            raise DomainError(Codes.CONFLICT, _("The partner must keep at least one active administrator."))
        if _widens(before, _data_scope(actor.member)):
            raise DomainError(Codes.FORBIDDEN, _("You cannot widen what you yourself can see."))
    return member


def _change_details(actor, member, details, supervisor) -> dict:
    is_active = bool(details.get("is_active", True))
    own = member.pk == actor.member.pk
    if own and supervisor != member.supervisor:
        raise DomainError(Codes.FORBIDDEN, _("You cannot change your own supervisor."))
    if own and not is_active:
        raise DomainError(Codes.PARAMETER, _("You cannot deactivate yourself."))
    # No cycles: the new supervisor may not be the member or anyone under them.
    if supervisor is not None and supervisor.pk in team_of(member):
        raise DomainError(Codes.PARAMETER, _("A member cannot report to themselves or to someone under them."))
    member.display_name = (details.get("display_name") or "").strip() or member.display_name
    member.title = (details.get("title") or "").strip()
    member.supervisor = supervisor
    member.save(update_fields=["display_name", "title", "supervisor"])
    if member.user.is_active != is_active:
        member.user.is_active = is_active
        member.user.save(update_fields=["is_active"])
    return {"supervisor": str(supervisor or ""), "active": is_active}


def _change_roles(actor, member, roles) -> dict:
    current = list(member.roles.all())
    changed = set(current) ^ set(roles)  # roles given or taken away
    if changed and member.pk == actor.member.pk:
        raise DomainError(Codes.FORBIDDEN, _("You cannot change your own roles."))
    _within_own_rights(actor, set().union(*(role.granted() for role in changed)))
    member.roles.set(roles)
    return {"before": sorted(r.name for r in current), "after": sorted(r.name for r in roles)}


def set_member_roles(actor, *, member_id, role_ids, verification_code=None) -> Member:
    """Give a member exactly these roles (the rules of `save_member`)."""
    return save_member(actor, member_id=member_id, role_ids=role_ids, verification_code=verification_code)


def update_member(actor, *, member_id, display_name: str, title: str = "", supervisor_id=None, is_active=True) -> Member:
    """Change a member's details (the rules of `save_member`)."""
    return save_member(actor, member_id=member_id, details={
        "display_name": display_name, "title": title, "supervisor_id": supervisor_id, "is_active": is_active})


def assign_reseller_account_manager(actor, *, indirect_partner_id: str, member_id=None):
    """A distributor gives one of its cloud resellers an account manager from its own staff (None clears)."""
    _require(actor, "resellers.manage")
    reseller = selectors.reseller_for(actor, indirect_partner_id)
    if reseller is None:
        raise DomainError(Codes.NOT_FOUND)
    manager = None
    if member_id:
        manager = selectors.account_managers_for(actor).filter(pk=member_id).first()
        if manager is None:
            raise DomainError(Codes.NOT_FOUND, _("The member does not exist."))
    with operation(actor, "reseller.assign_manager", target=reseller,
                   detail={"manager": manager.user.username if manager else ""}):
        type(reseller).objects.filter(pk=reseller.pk).update(reseller_account_manager=manager)
        reseller.reseller_account_manager = manager
    return reseller


# ---------------------------------------------------------------------------------------------
# Invitations: members join by link and set their own password
# ---------------------------------------------------------------------------------------------

def invite_member(actor, *, email: str, display_name: str, role_ids=(), supervisor_id=None) -> tuple[Invitation, str]:
    """Returns the invitation and its one-time token (only the hash is stored)."""
    _require(actor, "org.manage_members")
    roles = _roles_from_ids(actor, role_ids)
    if roles and not actor.has_perm("org.manage_roles"):
        raise DomainError(Codes.FORBIDDEN, _("Giving roles needs the right to change roles."))
    supervisor = _member_for(actor, supervisor_id) if supervisor_id else None
    token = secrets.token_urlsafe(32)
    with operation(actor, "member.invite") as entry:
        _within_own_rights(actor, set().union(*(role.granted() for role in roles)))
        invitation = Invitation.objects.create(
            partner=actor.partner, email=email.strip().lower(), display_name=display_name.strip(),
            supervisor=supervisor, token_hash=Invitation.hash_token(token), invited_by=actor.member,
            expires_at=timezone.now() + INVITATION_VALIDITY,
        )
        invitation.roles.set(roles)
        entry.target = invitation
        entry.detail = {"roles": [r.name for r in roles]}
    return invitation, token


def send_invitation(invitation, *, link: str) -> None:
    """Mail the link once the invitation is committed (by the Celery worker)."""
    from .tasks import send_email

    subject = _("You are invited to Partner Center")
    body = _("%(partner)s invites you to Partner Center. Open this link within 7 days: %(link)s") % {
        "partner": invitation.partner.name, "link": link,
    }
    transaction.on_commit(lambda: send_email.delay(str(subject), str(body), [invitation.email]))


def revoke_invitation(actor, *, invitation_id) -> None:
    invitation = selectors.invitations_for(actor).filter(pk=invitation_id, status=InvitationStatus.PENDING).first()
    if invitation is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "member.revoke_invitation", target=invitation):
        Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(status=InvitationStatus.REVOKED)


def pending_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("partner").filter(
        token_hash=Invitation.hash_token(token or ""), status=InvitationStatus.PENDING
    ).first()
    if invitation is None or invitation.expires_at < timezone.now():
        return None
    return invitation


def accept_invitation(*, token: str, username: str, password: str, ip=None) -> Member:
    """The invitee picks a username and password; the invitation is used once."""
    invitation = pending_invitation(token)
    if invitation is None:
        raise DomainError(Codes.NOT_FOUND, _("This invitation is invalid, used or expired."))
    username = (username or "").strip()
    if not username:
        raise DomainError(Codes.PARAMETER, _("Choose a username."))
    try:
        validate_password(password, User(username=username, email=invitation.email))
    except ValidationError as exc:
        raise DomainError(Codes.PARAMETER, " ".join(exc.messages)) from exc
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.ACCEPTED
        )
        if not claimed:
            raise DomainError(Codes.NOT_FOUND, _("This invitation is invalid, used or expired."))
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(Codes.CONFLICT, _("This username is taken."))
        try:
            user = User.objects.create_user(username=username, email=invitation.email, password=password)
        except IntegrityError as exc:
            raise DomainError(Codes.CONFLICT, _("This username is taken.")) from exc
        member = Member.objects.create(
            user=user, partner=invitation.partner, display_name=invitation.display_name,
            supervisor=invitation.supervisor,
        )
        member.roles.set(invitation.roles.all())
        Invitation.objects.filter(pk=invitation.pk).update(member=member)
        actor = Actor(ActorKind.MEMBER, user=user, partner=member.partner, member=member, ip=ip)
        with operation(actor, "member.join", target=member):
            pass
    return member


def expire_invitations(now=None) -> int:
    """Mark pending invitations past their date as expired; returns how many moved (0 on a re-run)."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lt=now).update(
        status=InvitationStatus.EXPIRED
    )


# ---------------------------------------------------------------------------------------------
# Security settings and the member's own verification devices
# ---------------------------------------------------------------------------------------------

def set_verification_enabled(actor, *, enabled: bool, verification_code=None) -> None:
    """Turn 验证码验证 on or off. Turning it off is itself sensitive; turning it on needs a device."""
    _require(actor, "org.settings")
    partner = actor.partner
    if enabled and not _confirmed_devices(actor.user):  # (the code's own message says they are on already)
        raise DomainError(Codes.VERIFICATION_NO_DEVICE, _(
            "Add an authenticator app or e-mail device under Security before turning verification codes on."))
    sensitive = {} if enabled else {"verification_code": verification_code}
    action = "partner.verification_on" if enabled else "partner.verification_off"
    with operation(actor, action, target=partner, **sensitive):
        type(partner).objects.filter(pk=partner.pk).update(verification_enabled=enabled)
        partner.verification_enabled = enabled


def _require_person(actor):
    if actor.user is None or actor.kind not in (ActorKind.MEMBER, ActorKind.CUSTOMER_USER):
        raise DomainError(Codes.FORBIDDEN)


def start_totp_device(actor) -> TOTPDevice:
    """An unconfirmed authenticator-app device (replacing an earlier unconfirmed one)."""
    _require_person(actor)
    with operation(actor, "device.add_totp") as entry:
        TOTPDevice.objects.filter(user=actor.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=actor.user, name=_("Authenticator app"), confirmed=False)
        entry.target = device
    return device


def add_email_device(actor, *, email: str) -> EmailCodeDevice:
    """An unconfirmed e-mail device; a code is sent now and `confirm_device` confirms it."""
    _require_person(actor)
    with operation(actor, "device.add_email") as entry:
        EmailCodeDevice.objects.filter(user=actor.user, confirmed=False).delete()
        device = EmailCodeDevice.objects.create(user=actor.user, name=_("E-mail"), email=email, confirmed=False)
        entry.target = device
    code = device.issue_code()
    send_mail(_("Confirm your e-mail device"), _("Your code is %(code)s.") % {"code": code}, None, [device.email])
    return device


def confirm_device(actor, *, device, token: str) -> bool:
    if device.user_id != actor.user.pk or device.confirmed:
        raise DomainError(Codes.NOT_FOUND)
    if not device.verify_token(token):
        raise DomainError(Codes.VERIFICATION_FAILED)
    with operation(actor, "device.confirm", target=device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def remove_device(actor, *, device, verification_code=None) -> None:
    if device.user_id != actor.user.pk:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "device.remove", target=device, verification_code=verification_code):
        remaining = [d for d in _confirmed_devices(actor.user) if d.persistent_id != device.persistent_id]
        if device.confirmed and not remaining and actor.partner is not None and actor.partner.verification_enabled:
            raise DomainError(Codes.CONFLICT, _("Verification codes are on: keep at least one device."))
        device.delete()


def _confirmed_devices(user):
    from django_otp import devices_for_user

    return list(devices_for_user(user, confirmed=True))
