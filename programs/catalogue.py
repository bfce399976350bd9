"""The programmes, paths, stages, requirements and benefit packages the cloud defines, as operators would
enter them in the admin. `seed_definitions()` is idempotent (get_or_create by code); the demo and the
tests start from it, and an operator changes everything afterwards in the admin."""

from decimal import Decimal

from django.db import transaction

from vouchers.choices import QuotaType

from .choices import Metric, ProgramKind, RequirementKind
from .models import Path, Program, ProgramLevel, Requirement, Stage, TestCouponPackage

__all__ = ["seed_definitions", "SOLUTION_PROVIDER", "DISTRIBUTOR", "RESELLER", "DTCSI", "SOFTWARE"]

SOLUTION_PROVIDER, DISTRIBUTOR, RESELLER = "solution-provider", "distributor", "reseller"
DTCSI, SOFTWARE = "dtcsi", "software"      # 数字化转型咨询与系统集成, 软件伙伴
REGISTERED, ROLE_CERTIFIED, DIFFERENTIATED = "registered", "role-certified", "differentiated"

PROGRAMS = (
    (SOLUTION_PROVIDER, ProgramKind.SOLUTION_PROVIDER, "解决方案提供商计划", False,
     "面向为客户提供华为云解决方案、转售华为云服务的合作伙伴。"),
    (DISTRIBUTOR, ProgramKind.DISTRIBUTOR, "总经销商计划", True,
     "华为云总经销商计划（华为云一级经销商）需要线下联系当地的生态经理或渠道经理申请加入。"),
    (RESELLER, ProgramKind.RESELLER, "云经销商", False, "在总经销商下转售华为云服务的云经销商。"),
)
LEVELS = (("certified", "认证级", 1, None), ("preferred", "优选级", 2, ROLE_CERTIFIED),
          ("leading", "领先级", 3, DIFFERENTIATED))
PATHS = (
    (DTCSI, "数字化转型咨询与系统集成", 1, True),
    (SOFTWARE, "软件伙伴", 2, True),
)
STAGES = ((REGISTERED, "注册", 1), (ROLE_CERTIFIED, "角色认证", 2), (DIFFERENTIATED, "能力差异化认证", 3))
# (path, stage) -> [(label, kind, metric, threshold)]
REQUIREMENTS = {
    (DTCSI, ROLE_CERTIFIED): [
        ("完成商业信息认证", RequirementKind.COMPUTED, Metric.BUSINESS_CERTIFIED, 1),
        ("签署伙伴协议", RequirementKind.COMPUTED, Metric.AGREEMENTS_SIGNED, 1),
        ("至少 1 名项目专员", RequirementKind.COMPUTED, Metric.PROJECT_SPECIALISTS, 1),
    ],
    (DTCSI, DIFFERENTIATED): [
        ("至少 3 名项目专员", RequirementKind.COMPUTED, Metric.PROJECT_SPECIALISTS, 3),
        ("服务至少 5 个客户", RequirementKind.COMPUTED, Metric.CUSTOMERS, 5),
        ("通过能力差异化答辩", RequirementKind.CONFIRMED, "", 1),
    ],
    (SOFTWARE, ROLE_CERTIFIED): [
        ("完成商业信息认证", RequirementKind.COMPUTED, Metric.BUSINESS_CERTIFIED, 1),
        ("签署伙伴协议", RequirementKind.COMPUTED, Metric.AGREEMENTS_SIGNED, 1),
    ],
    (SOFTWARE, DIFFERENTIATED): [
        ("伙伴至少有完成1个先进云软件认证的应用与软件解决方案", RequirementKind.COMPUTED,
         Metric.CERTIFIED_SOLUTIONS, 1),
        ("服务至少 3 个客户", RequirementKind.COMPUTED, Metric.CUSTOMERS, 3),
    ],
}
# (path, from stage, name, max amount)
TEST_COUPONS = (
    (DTCSI, ROLE_CERTIFIED, "支持计划专用券(角色认证)", Decimal("5000.00")),
    (DTCSI, DIFFERENTIATED, "支持计划专用券(差异化)", Decimal("20000.00")),
    (SOFTWARE, ROLE_CERTIFIED, "支持计划专用券(角色认证)", Decimal("3000.00")),
)


@transaction.atomic
def seed_definitions() -> None:
    stages = {}
    for code, name, rank, specialists in PATHS:
        path, _ = Path.objects.get_or_create(code=code, defaults={"name": name, "rank": rank,
                                                                 "has_specialists": specialists})
        for stage_code, stage_name, stage_rank in STAGES:
            stages[code, stage_code], _ = Stage.objects.get_or_create(
                path=path, code=stage_code, defaults={"name": stage_name, "rank": stage_rank})
    for code, kind, name, offline, description in PROGRAMS:
        program, _ = Program.objects.get_or_create(code=code, defaults={
            "kind": kind, "name": name, "apply_offline": offline, "description": description})
        if kind == ProgramKind.SOLUTION_PROVIDER:
            for level_code, level_name, rank, stage in LEVELS:
                ProgramLevel.objects.get_or_create(program=program, code=level_code, defaults={
                    "name": level_name, "rank": rank, "min_stage": stages[DTCSI, stage] if stage else None})
    for (path_code, stage_code), lines in REQUIREMENTS.items():
        stage = stages[path_code, stage_code]
        for rank, (label, kind, metric, threshold) in enumerate(lines):
            Requirement.objects.get_or_create(stage=stage, label=label, defaults={
                "kind": kind, "metric": metric, "threshold": threshold, "rank": rank})
    for path_code, stage_code, name, most in TEST_COUPONS:
        stage = stages[path_code, stage_code]
        TestCouponPackage.objects.get_or_create(path=stage.path, name=name, defaults={
            "min_stage": stage, "max_amount": most, "quota_type": QuotaType.CASH_COUPON,
            "cloud_service_types": ["hws.service.type.ec2", "hws.service.type.obs"]})
