"""The monthly FH list (月初平台会根据已录入的专家信息生成满足条件的激励人员名单): who gets one, what it lists, and that a
second run (or a concurrent one, test_fh_pg) changes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from events.models import Event
from incentives.choices import FhMonthStatus, FhQualificationStatus
from incentives.event_types_fh import FH_LIST_GENERATED
from incentives.models_fh import FhLine, FhMonth
from partnercenter.models import OperationLog
from programs.catalogue import ROLE_CERTIFIED
from programs.choices import SpecialistStatus

from ..conftest import build_tenant
from .fh_fixtures import enrol, fh_partner, generate_at, qualify, shanghai, specialist

pytestmark = pytest.mark.django_db

APRIL_1 = shanghai(2026, 4, 1, 9, 15)     # Wednesday: March's lists


def test_the_list_names_the_approved_specialists_of_the_month_at_the_configured_amount(tenant_a, settings):
    settings.FH_AMOUNT_PER_SPECIALIST = "7500.50"
    world = fh_partner(tenant_a)
    specialist(world.partner, "赵工", decided_at=shanghai(2026, 4, 1, 0, 0))          # approved in April: not in March
    specialist(world.partner, "钱工", status=SpecialistStatus.APPLYING)
    specialist(world.partner, "孙工", status=SpecialistStatus.CANCELLED)
    gone = specialist(world.partner, "周工")
    gone.member.user.is_active = False
    gone.member.user.save(update_fields=["is_active"])

    assert generate_at(APRIL_1) == 1

    march = FhMonth.objects.get(partner=world.partner)
    assert (march.month, march.status) == (date(2026, 3, 1), FhMonthStatus.GENERATED)
    assert sorted(march.lines.values_list("member_name", flat=True)) == ["李工", "王工"]
    assert set(march.lines.values_list("amount", flat=True)) == {Decimal("7500.50")}
    assert march.amount == Decimal("15001.00")
    assert set(march.lines.values_list("included", flat=True)) == {True}
    event = Event.objects.get(type=FH_LIST_GENERATED)
    assert event.data["specialists"] == 2 and event.data["amount"] == "15001.00"
    assert OperationLog.objects.filter(action="incentives.fh_generate", partner=world.partner).count() == 1


def test_a_specialist_without_employment_details_is_left_off_the_list(tenant_a):
    """项目专员信息维护: a specialist keeps its 岗位 and the day it started working with Huawei Cloud; one that does
    not, or started only after the month, is not on the month's list."""
    world = fh_partner(tenant_a, specialists=("王工",))
    specialist(world.partner, "冯工", post="")                                   # no 岗位
    specialist(world.partner, "陈工", started=None)                              # no start date
    specialist(world.partner, "褚工", started=date(2026, 4, 1))                  # started after March
    specialist(world.partner, "卫工", started=date(2026, 3, 31))                 # started within March
    no_profile = specialist(world.partner, "蒋工")
    no_profile.member.program_profile.delete()

    assert generate_at(APRIL_1) == 1

    march = FhMonth.objects.get(partner=world.partner)
    assert sorted(march.lines.values_list("member_name", flat=True)) == ["卫工", "王工"]


def test_generating_twice_gives_one_list(tenant_a):
    world = fh_partner(tenant_a)
    assert generate_at(APRIL_1) == 1
    assert generate_at(shanghai(2026, 4, 1, 12, 15)) == 0
    assert generate_at(shanghai(2026, 4, 30, 21, 15)) == 0
    assert FhMonth.objects.filter(partner=world.partner).count() == 1
    assert FhLine.objects.count() == 2
    assert Event.objects.filter(type=FH_LIST_GENERATED).count() == 1


def test_only_the_previous_month_is_generated(tenant_a):
    fh_partner(tenant_a)
    generate_at(APRIL_1)
    generate_at(shanghai(2026, 5, 2, 9, 15))
    assert list(FhMonth.objects.order_by("month").values_list("month", flat=True)) == [date(2026, 3, 1),
                                                                                    date(2026, 4, 1)]


def test_who_gets_no_list(tenant_a, tenant_b):
    fh_partner(tenant_a, specialists=())                                   # no specialists: no list
    below = build_tenant("c")
    enrol(below.partner, ROLE_CERTIFIED)                                   # below 能力差异化认证
    qualify(below.partner)
    specialist(below.partner, "吴工")
    late = fh_partner(tenant_b)                                            # qualified only in April
    late.qualification.decided_at = shanghai(2026, 4, 1, 8, 0)
    late.qualification.save(update_fields=["decided_at"])
    applying = build_tenant("d")
    enrol(applying.partner)
    qualify(applying.partner).__class__.objects.filter(partner=applying.partner).update(
        status=FhQualificationStatus.APPLYING)
    specialist(applying.partner, "郑工")

    assert generate_at(APRIL_1) == 0
    assert not FhMonth.objects.exists()
    assert generate_at(shanghai(2026, 5, 1, 9, 15)) == 1                   # April's list of the late one
    assert FhMonth.objects.get().partner == late.partner


def test_the_deadline_is_the_same_for_every_list_of_a_run(tenant_a, tenant_b):
    fh_partner(tenant_a)
    fh_partner(tenant_b)
    assert generate_at(APRIL_1) == 2
    # 清明 4–6 April 2026 off
    assert set(FhMonth.objects.values_list("deadline", flat=True)) == {shanghai(2026, 4, 22, 9, 15)}
