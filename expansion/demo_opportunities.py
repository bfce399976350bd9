"""Demo opportunities (机会点), idempotent (nothing is added once 北京智云 has opportunities):

- 北京智云 (bj), HO shared by Huawei Cloud: pending ones due today, tomorrow, in two and in three working days
  (China's calendar, computed when seeded) and one already overdue (the beat's recall task rejects it by
  default and recalls it within minutes of `make run`); one accepted with updates from both sides and
  collaborators; one the partner rejected; one recalled earlier.
- 北京智云, PO registered by the partner: pending with a customer account and without one (无账号报备), approved
  (with updates), rejected, released to the public pool.
- 华东云联 (hd, marketing plan 2.0): a pending HO whose contact phone the partner sees masked.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Association
from partnercenter import workdays

from .choices import OpportunityStage, OpportunityStatus, Origin, Side
from .models import Collaborator, Opportunity, OpportunityUpdate

__all__ = ["seed"]

CLOUD = "华为云运营"


def _customer(partner):
    association = Association.objects.filter(partner=partner, ended_on__isnull=True).select_related("customer") \
        .order_by("pk").first()
    return association.customer if association else None


def _ho(partner, deadline, name, customer_name, **fields):
    """An HO whose deadline is `deadline` (moved to a working day's same wall clock), shared 3 working days before."""
    calendar = workdays.WorkdayCalendar()
    shared_at = calendar.add_working_days(deadline, -3)
    defaults = {"contact_name": "王经理", "contact_phone": "13900001234", "product": "弹性云服务器 ECS、云数据库 RDS",
                "amount": Decimal("300000.00"), "created_by": CLOUD}
    defaults.update(fields)
    return Opportunity.objects.create(partner=partner, origin=Origin.HO, name=name, customer_name=customer_name,
                                      shared_at=shared_at, deadline=calendar.add_working_days(shared_at, 3),
                                      updated_at=shared_at, **defaults)


def _po(partner, name, customer_name, registered_at, status, customer=None, **fields):
    defaults = {"contact_name": "李总", "contact_phone": "13700005678", "product": "数据仓库 DWS",
                "amount": Decimal("120000.00"), "created_by": "bj.ceo"}
    defaults.update(fields)
    decided = {} if status == OpportunityStatus.PENDING else {
        "decided_at": registered_at + timedelta(days=2), "decided_by": "operator"}
    return Opportunity.objects.create(partner=partner, origin=Origin.PO, name=name, customer_name=customer_name,
                                      customer=customer, status=status, shared_at=registered_at,
                                      updated_at=registered_at, **decided, **defaults)


def _update(opportunity, side, by, when, changes, note=""):
    OpportunityUpdate.objects.create(opportunity=opportunity, side=side, changes=changes, note=note, created_by=by,
                                     created_at=when)


def seed(ctx: dict) -> None:
    partners = ctx["partners"]
    bj, hd = partners["bj"], partners["hd"]
    if Opportunity.objects.filter(partner=bj).exists():
        return
    now = timezone.now()
    calendar = workdays.WorkdayCalendar()
    local_now = timezone.localtime(now, workdays.SHANGHAI)
    end_of_today = datetime.combine(local_now.date(), time(23, 59), tzinfo=workdays.SHANGHAI)
    at_six = local_now.replace(hour=18, minute=0, second=0, microsecond=0)

    # -- HO: the countdown in every state ------------------------------------------------------------------
    _ho(bj, end_of_today, "智慧园区视频云平台", "北京朝阳智慧园区管理有限公司")
    _ho(bj, calendar.add_working_days(at_six, 1), "电商大促弹性扩容", "北京优选电子商务有限公司",
        product="弹性伸缩 AS、分布式缓存 DCS")
    _ho(bj, calendar.add_working_days(at_six, 2), "制造业MES系统上云", "河北精工装备制造有限公司")
    _ho(bj, calendar.add_working_days(local_now, 3), "医院影像归档云存储", "北京仁和医院",
        product="对象存储 OBS", amount=Decimal("80000.00"))
    _ho(bj, calendar.add_working_days(at_six, -2), "政务数据共享平台", "某市政务服务数据管理局",
        amount=Decimal("1500000.00"))                       # overdue: recalled by the beat's next run

    accepted = _ho(bj, calendar.add_working_days(local_now, -10), "连锁零售会员中台", "北京万家惠连锁超市有限公司",
                   amount=Decimal("450000.00"))
    accepted_at = accepted.deadline - timedelta(days=1)
    Opportunity.objects.filter(pk=accepted.pk).update(
        status=OpportunityStatus.ACCEPTED, decided_at=accepted_at, decided_by="bj.ceo",
        stage=OpportunityStage.PROPOSAL, amount=Decimal("520000.00"), expected_close=date(now.year + 1, 3, 31),
        notes="客户希望一季度上线会员积分模块。")
    _update(accepted, Side.PARTNER, "bj.ceo", accepted_at + timedelta(days=2),
            {"stage": ["discovery", "qualified"]}, "已完成需求调研。")
    _update(accepted, Side.CLOUD, CLOUD, accepted_at + timedelta(days=4),
            {"amount": ["450000.00", "520000.00"], "expected_close": [None, f"{now.year + 1}-03-31"]},
            "华为云已安排售前架构师支持。")
    _update(accepted, Side.PARTNER, "bj.ceo", accepted_at + timedelta(days=6), {"stage": ["qualified", "proposal"]},
            "方案已提交客户评审。")
    Collaborator.objects.create(opportunity=accepted, side=Side.PARTNER, name="张伟", role="售前经理",
                                contact="zhangwei@bj.example.com")
    Collaborator.objects.create(opportunity=accepted, side=Side.CLOUD, name="华为云 李娜", role="客户经理",
                                contact="lina@huaweicloud.example.com")

    rejected = _ho(bj, calendar.add_working_days(local_now, -6), "跨境物流数据分析", "天津港通国际物流有限公司")
    Opportunity.objects.filter(pk=rejected.pk).update(
        status=OpportunityStatus.REJECTED, decided_at=rejected.shared_at + timedelta(hours=5), decided_by="bj.ceo",
        reason="客户位于我司服务区域之外。")
    recalled = _ho(bj, calendar.add_working_days(local_now, -8), "高校科研计算集群", "某理工大学")
    Opportunity.objects.filter(pk=recalled.pk).update(
        status=OpportunityStatus.RECALLED, decided_at=recalled.deadline + timedelta(minutes=3), decided_by="scheduler")

    # -- PO ---------------------------------------------------------------------------------------------------
    customer = _customer(bj)
    _po(bj, "集团财务系统上云", customer.real_name or customer.domain_name if customer else "北京某集团",
        now - timedelta(days=1), OpportunityStatus.PENDING, customer=customer)
    _po(bj, "门店收银SaaS", "北京小马便利店有限公司", now - timedelta(days=2), OpportunityStatus.PENDING,
        notes="客户尚未注册华为云账号（无账号报备）。")
    approved = _po(bj, "AI客服机器人", "北京声谷科技有限公司", now - timedelta(days=20), OpportunityStatus.APPROVED,
                   stage=OpportunityStage.QUALIFIED, amount=Decimal("200000.00"))
    _update(approved, Side.PARTNER, "bj.ceo", now - timedelta(days=10), {"stage": ["discovery", "qualified"]},
            "客户已确认预算。")
    _po(bj, "视频直播CDN加速", "北京星光传媒有限公司", now - timedelta(days=15), OpportunityStatus.REJECTED,
        reason="该客户已由其他伙伴报备。")
    _po(bj, "小程序商城", "北京鲜果到家科技有限公司", now - timedelta(days=40), OpportunityStatus.RELEASED,
        reason="无账号报备超过30天未注册账号，已释放到公海池。")

    # -- 华东云联 (marketing plan 2.0: contacts masked) -----------------------------------------------------------
    _ho(hd, calendar.add_working_days(at_six, 2), "港口集装箱调度系统", "上海洋山港务科技有限公司",
        contact_name="陈工", contact_phone="13812345678")
