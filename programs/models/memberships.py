"""Where a partner stands: memberships, level requests, path enrolments, registration links."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner

from ..choices import ApplicationStatus, MembershipStatus
from .definitions import Path, Program, ProgramLevel, Stage
from .fields import OPEN_MEMBERSHIP, _hash


class Membership(models.Model):
    """A partner in a programme (已加入伙伴计划), or asking to be. An operator may end a joined one (programs/
    leaving.py): LEFT since `left_at`, which says in which months the partner still held the programme."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE,
                                related_name="program_memberships")
    program = models.ForeignKey(Program, verbose_name=_("programme"), on_delete=models.PROTECT,
                                related_name="memberships")
    level = models.ForeignKey(ProgramLevel, verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=MembershipStatus.choices)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme membership")
        verbose_name_plural = _("programme memberships")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "program"], condition=OPEN_MEMBERSHIP,
                                    name="membership_open_once"),
            models.CheckConstraint(name="membership_left_has_time",
                                   condition=~Q(status=MembershipStatus.LEFT) | Q(left_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.partner} · {self.program}"


class LevelRequest(models.Model):
    """提升等级: a member asked for the next level of a joined programme; operators decide."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="level_requests")
    level = models.ForeignKey(ProgramLevel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.APPLYING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("level request")
        verbose_name_plural = _("level requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=Q(status=ApplicationStatus.APPLYING),
                                    name="level_request_open_once"),
        ]


class PathEnrolment(models.Model):
    """A partner on a development path, at one stage."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="path_enrolments")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="enrolments")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(_("at this stage since"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("joined the path"), default=timezone.now)

    class Meta:
        verbose_name = _("path enrolment")
        verbose_name_plural = _("path enrolments")
        ordering = ["path__rank", "id"]
        constraints = [models.UniqueConstraint(fields=["partner", "path"], name="enrolment_once_per_path")]

    def __str__(self):
        return f"{self.partner} · {self.stage}"


class RegistrationLink(models.Model):
    """注册新账号: after a verification code to the main account's e-mail or mobile, a link to register a
    new partner account on a path; valid 24 hours, used once. Only the hash of its token is stored."""

    VALID_FOR_HOURS = 24

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.CharField(_("sent to"), max_length=256)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    new_partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("registration link")
        verbose_name_plural = _("registration links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="registration_link_window", condition=Q(expires_at__gt=F("created_at"))),
        ]

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(token: str) -> str:
        return _hash(token)
