"""Names instead of codes: the template filters show the catalogue's name in the active language (the code
when the catalogue has none), from a process cache that a change of the catalogue refreshes — at once in
the process that made it, and in every other one through the shared version. The pages that showed
service codes (resources, coupon and quota limits, the fee center's coupons) show names, the code kept as
secondary text or tooltip."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.signals import request_started
from django.db import close_old_connections
from django.template import Context, Template
from django.utils import timezone, translation

from catalog import selectors
from catalog.models import Region, ServiceType
from vouchers import services as voucher_services
from vouchers.models import CouponQuota

from ..conftest import actor_of, login_client
from ..factories import CustomerUserFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load catalog_names %}" + source).render(Context(context))


def test_the_filters_show_names_in_the_active_language(catalogue):
    source = ("{{ s|service_type_name }}/{{ r|resource_type_name }}/{{ g|region_name }}/"
              "{{ unknown|service_type_name }}/{{ unknown|service_type_name:'存的名字' }}/{{ none|region_name }}")
    codes = {"s": "hws.service.type.ec2", "r": "hws.resource.type.volume", "g": "cn-east-3",
             "unknown": "hws.service.type.gone", "none": None}
    with translation.override("zh-hans"):
        assert render(source, **codes) == "弹性云服务器/云硬盘/华东-上海一/hws.service.type.gone/存的名字/"
    with translation.override("en"):
        assert render(source, **codes) == ("Elastic Cloud Server/Disk/CN East-Shanghai1/hws.service.type.gone/"
                                           "存的名字/")
    assert selectors.name_of_service_type("hws.service.type.obs") == selectors.service_type_names()[
        "hws.service.type.obs"].display_name


def test_lists_of_service_types_and_coded_names_escape_what_they_show(catalogue):
    with translation.override("zh-hans"):
        labels = render("{{ codes|service_type_labels }}", codes=["hws.service.type.ec2", "<b>x</b>"])
        coded = render("{% coded 'hws.service.type.ec2'|service_type_name 'hws.service.type.ec2' %}|"
                       "{% coded 'cn-x' 'cn-x' %}")
    assert labels == ('<span class="catalog-name" title="hws.service.type.ec2">弹性云服务器</span>, '
                      '<span class="catalog-name" title="&lt;b&gt;x&lt;/b&gt;">&lt;b&gt;x&lt;/b&gt;</span>')
    assert coded == '弹性云服务器 <small class="muted coded"><code>hws.service.type.ec2</code></small>|<code>cn-x</code>'
    assert render("{{ codes|service_type_labels }}", codes=[]) == ""


def test_names_cost_no_query_once_loaded(catalogue, django_assert_num_queries):
    selectors.service_type_names(), selectors.region_names(), selectors.resource_type_names()
    with django_assert_num_queries(0):
        for _ in range(50):
            render("{{ s|service_type_name }}{{ g|region_name }}{{ r|resource_type_name }}",
                   s="hws.service.type.ec2", g="cn-north-4", r="hws.resource.type.vm")


def test_a_change_in_this_process_shows_at_once(catalogue):
    assert selectors.name_of_region("cn-south-1") == "华南-广州"
    region = Region.objects.get(code="cn-south-1")
    region.name = "华南-广州（新）"
    region.save()
    assert selectors.name_of_region("cn-south-1") == "华南-广州（新）"
    Region.objects.create(code="cn-southwest-2", name="西南-贵阳一")
    assert selectors.name_of_region("cn-southwest-2") == "西南-贵阳一"
    Region.objects.filter(code="cn-southwest-2").delete()  # a queryset delete sends post_delete too
    assert selectors.name_of_region("cn-southwest-2") == "cn-southwest-2"


def test_another_processs_change_shows_from_the_next_request(catalogue):
    assert selectors.name_of_service_type("hws.service.type.vpc") == "虚拟私有云"
    # another process renames it: the rows change and the shared version moves; this process's signals
    # never fire
    ServiceType.objects.filter(code="hws.service.type.vpc").update(name="虚拟私有云 VPC")
    cache.incr(selectors.VERSION_KEY)
    request_started.disconnect(close_old_connections)  # (it would close the test's transaction on PostgreSQL)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
    assert selectors.name_of_service_type("hws.service.type.vpc") == "虚拟私有云 VPC"


def test_the_resources_page_shows_names_with_the_codes(catalogue, tenant_a, admin_client_a):
    ResourceFactory(customer=tenant_a.resale, service_type_code="hws.service.type.evs", service_type_name="",
                    resource_type_code="hws.resource.type.volume", resource_type_name="", region_code="cn-east-3")
    ResourceFactory(customer=tenant_a.resale, service_type_code="hws.service.type.legacy", service_type_name="旧服务",
                    resource_type_code="hws.resource.type.legacy", resource_type_name="", region_code="xx-1")

    page = admin_client_a.get(f"/customers/{tenant_a.resale.domain_id}/resources/").content.decode()

    assert '云硬盘 <small class="muted coded"><code>hws.service.type.evs</code></small>' in page
    assert '云硬盘 <small class="muted coded"><code>hws.resource.type.volume</code></small>' in page
    assert '华东-上海一 <small class="muted coded"><code>cn-east-3</code></small>' in page
    # unknown to the catalogue: the name stored with the resource, else the code
    assert '旧服务 <small class="muted coded"><code>hws.service.type.legacy</code></small>' in page
    assert "<td><code>hws.resource.type.legacy</code></td>" in page and "<td><code>xx-1</code></td>" in page


def test_coupon_and_quota_limits_show_service_names(catalogue, tenant_a, admin_client_a):
    now = timezone.now()
    quota = CouponQuota.objects.create(
        partner=tenant_a.partner, quota_type=0, quota_value=Decimal("100"), balance=Decimal("100"),
        effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=30),
        cloud_service_types=["hws.service.type.ec2", "hws.service.type.evs"])
    voucher_services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="5.00",
                                   customer_ids=[tenant_a.resale.domain_id], cloud_service_types=["hws.service.type.evs"])
    customer = login_client(CustomerUserFactory(customer=tenant_a.resale).user)

    ec2 = '<span class="catalog-name" title="hws.service.type.ec2">弹性云服务器</span>'
    evs = '<span class="catalog-name" title="hws.service.type.evs">云硬盘</span>'
    assert f"{ec2}, {evs}" in admin_client_a.get("/vouchers/").content.decode()
    assert evs in admin_client_a.get("/vouchers/coupons/").content.decode()
    assert evs in customer.get("/fee-center/coupons/").content.decode()
