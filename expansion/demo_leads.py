"""Demo leads (线索管理), idempotent:

- 北京智云 (bj): a dozen leads of its own and dispatched by Huawei Cloud, in every status — new ones (one
  unassigned), some being followed up with follow-up records and a next follow-up, one converted to one of its
  customers, one invalid — owned by its account managers.
- 华东云联 (hd): in marketing plan 2.0 (营销计划2.0): its dispatched leads show masked phones and e-mails, and one
  was already called through 外呼 (a Call and its follow-up).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation

from customers.models import Association

from .choices import CallOutcome, FollowUpMethod, LeadSource, LeadStatus
from .leads import STATUS_NOTES
from .models import Call, ExpansionProfile, FollowUp, Lead

__all__ = ["seed"]

DEMO = "demo"

# company, contact, phone, e-mail, region, industry, requirement, source, status, owner suffix (bj), days ago
BJ_LEADS = [
    ("北京数智物流有限公司", "刘洋", "13811112222", "liuyang@shuzhi-wl.cn", "北京", "物流", "仓储系统上云，约200台云服务器",
     LeadSource.DISPATCHED, LeadStatus.NEW, None, 1),
    ("天津港达贸易有限公司", "陈静", "13922223333", "chenjing@gangda.com.cn", "天津", "贸易", "ERP迁移与灾备",
     LeadSource.DISPATCHED, LeadStatus.NEW, "am1", 2),
    ("河北恒信机械制造股份公司", "王磊", "13633334444", "wanglei@hengxin-jx.cn", "石家庄", "制造", "工业互联网平台试点",
     LeadSource.PARTNER, LeadStatus.FOLLOWING, "am1", 12),
    ("北京悦享教育科技有限公司", "赵敏", "13744445555", "zhaomin@yuexiang-edu.cn", "北京", "教育", "在线课堂视频直播",
     LeadSource.DISPATCHED, LeadStatus.FOLLOWING, "am2", 20),
    ("山西晋能数据服务有限公司", "孙强", "15855556666", "sunqiang@jinneng-data.cn", "太原", "能源", "数据湖与BI分析",
     LeadSource.PARTNER, LeadStatus.FOLLOWING, "am3", 8),
    ("北京康和医疗器械有限公司", "周婷", "15966667777", "zhouting@kanghe-med.cn", "北京", "医疗", "等保三级合规改造",
     LeadSource.DISPATCHED, LeadStatus.CONVERTED, "am2", 45),
    ("内蒙古草原乳业集团", "吴刚", "18677778888", "wugang@caoyuan-ry.cn", "呼和浩特", "食品", "已与其他伙伴签约",
     LeadSource.DISPATCHED, LeadStatus.INVALID, "am3", 60),
    ("北京云途旅游网络有限公司", "郑爽", "18788889999", "zhengshuang@yuntu-travel.cn", "北京", "互联网", "大促弹性扩容",
     LeadSource.PARTNER, LeadStatus.NEW, "am4", 0),
]

HD_LEADS = [
    ("上海申联电子商务有限公司", "何军", "13512345678", "hejun@shenlian-eb.cn", "上海", "电商", "双十一弹性算力",
     LeadStatus.FOLLOWING, 5),
    ("杭州西溪智能科技有限公司", "沈琳", "13687654321", "shenlin@xixi-ai.cn", "杭州", "人工智能", "AI训练集群",
     LeadStatus.NEW, 1),
    ("南京金陵软件有限公司", "冯伟", "13755556666", "fengwei@jinling-soft.cn", "南京", "软件", "SaaS多租户架构咨询",
     LeadStatus.NEW, 3),
]


def _follow_ups(lead, now, days_ago, by):
    FollowUp.objects.create(lead=lead, method=FollowUpMethod.PHONE, note="首次电话沟通，客户有上云意向，约定发送方案。",
                            created_by=by, created_at=now - timedelta(days=max(days_ago - 1, 0)))
    FollowUp.objects.create(lead=lead, method=FollowUpMethod.VISIT, note="上门拜访，了解现网架构和预算。",
                            next_at=now + timedelta(days=3), created_by=by,
                            created_at=now - timedelta(days=max(days_ago - 3, 0)))


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    bj, hd = partners["bj"], partners["hd"]
    if Lead.objects.filter(partner=bj, created_by__in=(DEMO, "operator")).exists():
        return
    now = timezone.now()
    customer = (Association.objects.filter(partner=bj, ended_on__isnull=True).select_related("customer")
                .order_by("pk").first())

    for (company, contact, phone, email, region, industry, requirement, source, status, owner, days) in BJ_LEADS:
        member = members.get(f"bj.{owner}") if owner else None
        created = now - timedelta(days=days, hours=2)
        lead = Lead.objects.create(
            partner=bj, source=source, company_name=company, contact_name=contact, phone=phone, email=email,
            region=region, industry=industry, requirement=requirement, status=status, owner=member,
            created_by="operator" if source == LeadSource.DISPATCHED else DEMO, created_at=created, updated_at=created)
        by = member.user.username if member else DEMO
        if status in (LeadStatus.FOLLOWING, LeadStatus.CONVERTED):
            _follow_ups(lead, now, days, by)
        if status == LeadStatus.CONVERTED and customer is not None:
            lead.customer = customer.customer
            lead.save(update_fields=["customer"])
        elif status == LeadStatus.CONVERTED:
            lead.status = LeadStatus.FOLLOWING
            lead.save(update_fields=["status"])
        if status == LeadStatus.INVALID:
            with translation.override(settings.LANGUAGE_CODE):  # as the service stores it: in the site's language
                note = str(STATUS_NOTES[LeadStatus.INVALID]) % {"reason": "客户已与其他伙伴签约"}
            FollowUp.objects.create(lead=lead, method=FollowUpMethod.OTHER, note=note, created_by=by,
                                    created_at=created + timedelta(days=2))

    ExpansionProfile.objects.get_or_create(partner=hd, defaults={"marketing_plan_v2": True})
    hd_admin = members.get("hd.admin")
    for company, contact, phone, email, region, industry, requirement, status, days in HD_LEADS:
        created = now - timedelta(days=days, hours=1)
        lead = Lead.objects.create(
            partner=hd, source=LeadSource.DISPATCHED, company_name=company, contact_name=contact, phone=phone,
            email=email, region=region, industry=industry, requirement=requirement, status=status,
            owner=hd_admin, created_by="operator", created_at=created, updated_at=created)
        if status == LeadStatus.FOLLOWING:
            Call.objects.create(lead=lead, member=hd_admin, backend="expansion.calls.ConsoleCallBackend",
                                reference="console-demo00000001", outcome=CallOutcome.CONNECTED,
                                duration_seconds=186, created_at=created + timedelta(days=1))
            FollowUp.objects.create(lead=lead, method=FollowUpMethod.CALL,
                                    note="外呼：已接通。客户希望下周安排技术交流。", next_at=now + timedelta(days=2),
                                    created_by=hd_admin.user.username if hd_admin else DEMO,
                                    created_at=created + timedelta(days=1))
