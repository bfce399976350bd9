"""Programmes, levels, paths, stages and requirements: what operators define."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner

from ..choices import Metric, ProgramKind, RequirementKind


class Program(models.Model):
    """伙伴计划: 解决方案提供商计划, 总经销商计划 (applied for offline), 云经销商 (under a distributor)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    apply_offline = models.BooleanField(
        _("applied for offline"), default=False,
        help_text=_("Partners contact their ecosystem or channel manager; the page says so instead of an "
                    "apply button."))
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name


class ProgramLevel(models.Model):
    """A level of a programme (e.g. 认证级, 优选级, 领先级); a higher rank is a higher level."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"))
    min_stage = models.ForeignKey(
        "Stage", verbose_name=_("stage required on a path"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("A level upgrade (提升等级) to this level needs this stage (or a later one) on its path."))

    class Meta:
        verbose_name = _("programme level")
        verbose_name_plural = _("programme levels")
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["program", "rank"], name="program_level_rank_unique"),
            models.UniqueConstraint(fields=["program", "code"], name="program_level_code_unique"),
        ]

    def __str__(self):
        return f"{self.program} · {self.name}"


class Path(models.Model):
    """发展路径: e.g. 数字化转型咨询与系统集成, 软件伙伴."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    has_specialists = models.BooleanField(
        _("has project specialists"), default=True,
        help_text=_("Project specialists (项目专员) may be applied for on this path (not on the distribution and "
                    "solution-provider plans)."))
    rank = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("development path")
        verbose_name_plural = _("development paths")
        ordering = ["rank", "code"]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A stage of a path (注册, 角色认证, 能力差异化认证 …); a higher rank is further along."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["path", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["path", "rank"], name="stage_rank_unique"),
            models.UniqueConstraint(fields=["path", "code"], name="stage_code_unique"),
        ]

    def __str__(self):
        return f"{self.path} · {self.name}"


class Requirement(models.Model):
    """One line of a stage's checklist: computed from data (`metric` ≥ `threshold`) or confirmed by an
    operator for each partner (RequirementConfirmation)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="requirements")
    label = models.CharField(_("requirement"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=RequirementKind.choices)
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices, blank=True)
    threshold = models.PositiveIntegerField(_("at least"), default=1)
    link = models.CharField(_("where to act"), max_length=200, blank=True,
                            help_text=_("A page of the partner center that helps meet it (optional)."))
    rank = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["stage", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                name="requirement_metric_iff_computed",
                condition=(Q(kind=RequirementKind.COMPUTED) & ~Q(metric=""))
                | (Q(kind=RequirementKind.CONFIRMED) & Q(metric=""))),
        ]

    def __str__(self):
        return self.label


class RequirementConfirmation(models.Model):
    """An operator confirmed that a partner meets a CONFIRMED requirement."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("requirement confirmation")
        verbose_name_plural = _("requirement confirmations")
        constraints = [models.UniqueConstraint(fields=["partner", "requirement"], name="confirmation_once")]


class CertifiedSolution(models.Model):
    """An application or solution of the partner that passed a cloud software certification (先进云软件认证),
    recorded by operators; counted by the CERTIFIED_SOLUTIONS metric."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certified_solutions")
    name = models.CharField(_("name"), max_length=128)
    certification = models.CharField(_("certification"), max_length=64)
    certified_on = models.DateField(_("certified on"))

    class Meta:
        verbose_name = _("certified solution")
        verbose_name_plural = _("certified solutions")
        ordering = ["-certified_on", "id"]
