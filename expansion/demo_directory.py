"""Demo data of the directory area (企业百科 and 报备), idempotent:

- 312 enterprises: the twelve real-name customers of 北京智云 (bj) — so their detail pages link to their
  entries — and 300 more made of a city, a brand and a business, with valid unified social credit codes
  (check character computed), spread over regions, industries, sizes and statuses (a few deregistered or
  revoked);
- reports in every state: bj holds three protected reports (one with its associated customer
  杭州西湖电子商务有限公司, one ending in three days), one expired (with its event) and one withdrawn; the
  cloud reseller 苏州启航 (sz) protects one enterprise (bj sees "reported by another partner until …"), and
  has one expired; the distributor 华东云联 (hd) protects one.

Enterprises are inserted with ON CONFLICT DO NOTHING on the credit code; reports only the first time (when
bj has none).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from customers.demo import CUSTOMER_NAMES
from customers.models import Customer
from events import outbox
from partnercenter.api.fields import wire_time

from . import event_types_directory as event_types
from .choices import EnterpriseSize, EnterpriseStatus, ReportStatus
from .directory_import import credit_code_check_digit
from .models import Enterprise, Report

__all__ = ["seed", "demo_enterprises", "credit_code"]

CITIES = [("北京", "110108", "北京市"), ("上海", "310115", "上海市"), ("广州", "440106", "广东省"),
          ("深圳", "440305", "广东省"), ("杭州", "330106", "浙江省"), ("成都", "510107", "四川省"),
          ("武汉", "420111", "湖北省"), ("南京", "320105", "江苏省"), ("西安", "610113", "陕西省"),
          ("重庆", "500112", "重庆市"), ("苏州", "320505", "江苏省"), ("天津", "120116", "天津市")]
BRANDS = ["华腾", "云启", "星辰", "汇通", "恒信", "博远", "中科", "金桥", "瑞丰", "新源", "凌云", "海纳", "鼎盛",
          "明德", "众合"]
BUSINESSES = [("科技有限公司", "软件和信息技术服务业"), ("信息技术有限公司", "软件和信息技术服务业"),
              ("物流有限公司", "交通运输、仓储和邮政业"), ("食品股份有限公司", "制造业"),
              ("医疗器械有限公司", "制造业"), ("教育科技有限公司", "教育"), ("新能源有限公司", "电力、热力、燃气及水生产和供应业"),
              ("电子商务有限公司", "批发和零售业"), ("文化传媒有限公司", "文化、体育和娱乐业"),
              ("建筑工程有限公司", "建筑业")]
LEGAL = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐强", "孙丽"]
SIZES = [EnterpriseSize.SMALL, EnterpriseSize.MEDIUM, EnterpriseSize.MICRO, EnterpriseSize.LARGE, EnterpriseSize.SMALL]
COUNT = 300


def credit_code(area: str, serial: int) -> str:
    """A well-formed unified social credit code: 9 (registered by market regulation) 1 (enterprise), the
    area code, a 9-digit organisation code and the check character."""
    first17 = f"91{area}{serial:09d}"
    return first17 + credit_code_check_digit(first17)


def demo_enterprises() -> list[Enterprise]:
    now = timezone.now()
    rows = []
    for index, name in enumerate(CUSTOMER_NAMES):
        city = next((c for c in CITIES if name.startswith(c[0])), CITIES[index % len(CITIES)])
        rows.append(Enterprise(
            name=name, credit_code=credit_code(city[1], 500_000 + index), region=city[2], industry="软件和信息技术服务业",
            size=SIZES[index % len(SIZES)], registered_capital=Decimal(500 + index * 100),
            legal_representative=LEGAL[index % len(LEGAL)], status=EnterpriseStatus.OPERATING,
            established_on=date(2008 + index % 15, index % 12 + 1, 10), address=f"{city[2]}{city[0]}高新区{index + 1}号",
            updated_at=now))
    for index in range(COUNT):
        city = CITIES[index % len(CITIES)]
        brand = BRANDS[(index // len(CITIES)) % len(BRANDS)]
        business, industry = BUSINESSES[(index // (len(CITIES) * len(BRANDS)) + index) % len(BUSINESSES)]
        status = (EnterpriseStatus.CANCELLED if index % 47 == 46 else
                  EnterpriseStatus.REVOKED if index % 61 == 60 else EnterpriseStatus.OPERATING)
        rows.append(Enterprise(
            name=f"{city[0]}{brand}{business}", credit_code=credit_code(city[1], 100_000 + index), region=city[2],
            industry=industry, size=SIZES[index % len(SIZES)], registered_capital=Decimal(100 + (index * 37) % 9900),
            legal_representative=LEGAL[index % len(LEGAL)], status=status,
            established_on=date(1995 + index % 30, index % 12 + 1, index % 28 + 1),
            address=f"{city[2]}{city[0]}{brand}路{index % 200 + 1}号", updated_at=now))
    return rows


def seed(ctx: dict) -> None:
    Enterprise.objects.bulk_create(demo_enterprises(), ignore_conflicts=True)
    partners, members = ctx["partners"], ctx["members"]
    bj, hd, sz = partners["bj"], partners["hd"], partners["sz"]
    if Report.objects.filter(partner=bj).exists():
        return
    now = timezone.now()
    directory = list(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).order_by("credit_code"))
    by_name = {e.name: e for e in directory}
    others = [e for e in directory if e.name not in CUSTOMER_NAMES]
    xihu = by_name[CUSTOMER_NAMES[0]]
    customer = Customer.objects.filter(real_name=CUSTOMER_NAMES[0], associations__partner=bj,
                                       associations__ended_on__isnull=True).first()
    ceo, am1 = members.get("bj.ceo"), members.get("bj.am1")
    days = timedelta(days=1)
    with transaction.atomic():
        Report.objects.bulk_create([
            Report(partner=bj, enterprise=xihu, customer=customer, contact_name="周经理", contact_phone="13912345678",
                   note="已有合作，计划迁移电商系统上云", protected_until=now + 80 * days, created_by=am1,
                   created_at=now - 10 * days),
            Report(partner=bj, enterprise=others[0], contact_name="孙总", contact_phone="13800001111",
                   note="关注数据库与容器服务", protected_until=now + 45 * days, created_by=ceo, created_at=now - 45 * days),
            Report(partner=bj, enterprise=others[1], contact_name="钱工", note="保护期即将到期",
                   protected_until=now + 3 * days, created_by=am1, created_at=now - 87 * days),
            Report(partner=bj, enterprise=others[2], status=ReportStatus.WITHDRAWN, note="客户已选择其他方案",
                   protected_until=now + 60 * days, created_by=ceo, created_at=now - 30 * days,
                   ended_at=now - 5 * days),
            Report(partner=sz, enterprise=others[3], contact_name="吴经理", protected_until=now + 30 * days,
                   created_at=now - 60 * days),
            Report(partner=hd, enterprise=others[4], contact_name="郑总", protected_until=now + 70 * days,
                   created_at=now - 20 * days),
        ])
        expired = Report.objects.bulk_create([
            Report(partner=bj, enterprise=others[5], status=ReportStatus.EXPIRED, note="未能推进",
                   protected_until=now - 15 * days, created_by=am1, created_at=now - 105 * days,
                   ended_at=now - 15 * days),
            Report(partner=sz, enterprise=others[6], status=ReportStatus.EXPIRED, protected_until=now - 2 * days,
                   created_at=now - 92 * days, ended_at=now - 2 * days),
        ])
        for report in Report.objects.filter(pk__in=[r.pk for r in expired]).select_related("enterprise", "partner"):
            outbox.record(event_types.REPORT_EXPIRED, partner=report.partner, key=event_types.report_key(report.pk),
                          data={"report_id": report.pk, "enterprise_name": report.enterprise.name,
                                "credit_code": report.enterprise.credit_code,
                                "protected_until": wire_time(report.protected_until)})
