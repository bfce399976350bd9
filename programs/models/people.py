"""People: member profiles and project specialists (项目专员)."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Member

from ..choices import SpecialistStatus
from .definitions import Path


class MemberProfile(models.Model):
    """个人资料 and employment details a member maintains (工作常驻地 is required to become a specialist)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="program_profile")
    work_location = models.CharField(_("work location"), max_length=64, blank=True)
    post = models.CharField(_("post"), max_length=64, blank=True)
    started_with_cloud_on = models.DateField(_("working with the cloud since"), null=True, blank=True)
    uniportal_account = models.CharField(_("uniportal account"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")


class ProjectSpecialist(models.Model):
    """项目专员: an administrator applied for a member on a path; operators approve."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="specialist_roles")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="specialists")
    status = models.CharField(_("status"), max_length=10, choices=SpecialistStatus.choices,
                              default=SpecialistStatus.APPLYING)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("project specialist")
        verbose_name_plural = _("project specialists")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "path"], name="specialist_open_once",
                condition=Q(status__in=[SpecialistStatus.APPLYING, SpecialistStatus.APPROVED])),
        ]
