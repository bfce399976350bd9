"""The annual review (年度复核): reviews, submissions and their materials."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner

from ..choices import ReviewStatus
from ..storage import private_storage
from .definitions import Path, Stage


class Review(models.Model):
    """An annual review of a path that operators opened for a year."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    instructions = models.TextField(_("materials to upload"), blank=True)

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["-year", "path"]
        constraints = [
            models.UniqueConstraint(fields=["path", "year"], name="review_once_per_path_year"),
            models.CheckConstraint(name="review_window", condition=Q(closes_at__gt=F("opens_at"))),
        ]

    def __str__(self):
        return f"{self.path} {self.year}"


class ReviewSubmission(models.Model):
    """One partner's answer to an annual review: materials, then an operator's decision."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="submissions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="review_submissions")
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    result_stage = models.ForeignKey(Stage, verbose_name=_("stage after the review"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("review submission")
        verbose_name_plural = _("review submissions")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["review", "partner"], name="submission_once_per_review")]

    def __str__(self):
        return f"{self.review} · {self.partner}"


def _material_path(instance, filename):
    # the stored name says nothing about the partner or the file: a random id under the year
    return f"programs/{timezone.now():%Y}/{uuid.uuid4().hex}"


class Material(models.Model):
    """An uploaded file: review materials (submission) or certification documents (certification)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="program_materials")
    submission = models.ForeignKey(ReviewSubmission, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="materials")
    certification = models.ForeignKey("BusinessCertification", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="materials")
    file = models.FileField(storage=private_storage, upload_to=_material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="material_belongs_to_one",
                condition=(Q(submission__isnull=False) & Q(certification__isnull=True))
                | (Q(submission__isnull=True) & Q(certification__isnull=False))),
        ]

    def __str__(self):
        return self.original_name
