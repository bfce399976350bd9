"""能力认证徽章: operators grant a badge per capability label; the partner downloads it as an SVG drawn in code,
its texts escaped; the usage rules are shown next to the badges; another partner's badge is 404."""

from datetime import date
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import badges
from programs.catalogue import DTCSI
from programs.errors_benefits import BenefitCodes
from programs.models import Badge, Path

from ..conftest import actor_of, login_client
from .test_benefits_support import english, member_with, operator

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def grant(tenant, capability="云迁移", **kwargs):
    return badges.grant(operator(), partner=tenant.partner, capability=capability, earned_on=date(2026, 1, 10),
                        valid_until=kwargs.pop("valid_until", date(2099, 1, 9)),
                        path=Path.objects.get(code=DTCSI), **kwargs)


def test_the_svg_download_escapes_every_text(programmes, tenant_a):
    tenant_a.partner.name = 'A&B <script>alert("x")</script> 公司'
    tenant_a.partner.save()
    badge = grant(tenant_a, capability="</text><script>x</script>\x00")  # the NUL dropped when granted
    response = login_client(tenant_a.admin.user).get(reverse("programs:badge_download", args=[badge.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"] == f'attachment; filename="capability-badge-{badge.pk}.svg"'
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    assert "<script" not in body and "&lt;script&gt;" in body and "A&amp;B" in body
    root = ElementTree.fromstring(response.content)  # well-formed XML
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert 'A&B <script>alert("x")</script> 公司' in texts
    assert "</text><script>x</script>" in texts
    assert Badge.objects.get(pk=badge.pk).capability == "</text><script>x</script>"
    # characters XML does not allow never reach the SVG, wherever they come from
    drawn = badges.svg_of(Badge(partner=tenant_a.partner, capability="云\x00迁\x1b移", earned_on=date(2026, 1, 1)))
    assert "云迁移" in drawn and "\x00" not in drawn and "\x1b" not in drawn
    assert any("2099-01-09" in text for text in texts)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}image"))


def test_long_texts_are_shortened(programmes, tenant_a):
    tenant_a.partner.name = "很长的公司名称" * 10
    tenant_a.partner.save()
    svg = badges.svg_of(grant(tenant_a))
    assert "很长的公司名称" * 10 not in svg and "…" in svg
    root = ElementTree.fromstring(svg.encode())
    partner_line = [e for e in root.iter(f"{SVG}text") if (e.text or "").startswith("很长")][0]
    assert int(partner_line.get("font-size")) < 18  # smaller to fit


def test_the_list_shows_the_usage_rules_and_another_partner_gets_404(programmes, tenant_a, tenant_b):
    badge = grant(tenant_a)
    expired = grant(tenant_a, capability="数据治理", valid_until=date(2026, 3, 1))
    client = login_client(tenant_a.admin.user)
    body = client.get(reverse("programs:badges")).content.decode()

    assert "云迁移" in body and reverse("programs:badge_download", args=[badge.pk]) in body
    assert reverse("programs:badge_download", args=[expired.pk]) not in body  # expired: no download offered
    assert 'id="badge-usage-rules"' in body
    assert body.count('<li class="badge-rule">') == len(badges.USAGE_RULES) == 3  # the usage rules
    assert client.get(reverse("programs:badge_download", args=[expired.pk])).status_code == 404  # expired
    assert login_client(tenant_b.admin.user).get(reverse("programs:badge_download", args=[badge.pk])).status_code == 404
    assert "云迁移" not in login_client(tenant_b.admin.user).get(reverse("programs:badges")).content.decode()
    english_body = english(tenant_a.admin.user).get(reverse("programs:badges")).content.decode()
    assert "capability labels Huawei Cloud authorised" in english_body and "exaggerate" in english_body
    assert "sponsor" in english_body


def test_permissions_and_the_operator_side(programmes, tenant_a):
    badge = grant(tenant_a)
    plain = member_with(tenant_a)
    viewer = member_with(tenant_a, "benefits.view")
    assert login_client(plain.user).get(reverse("programs:badges")).status_code == 403
    assert login_client(plain.user).get(reverse("programs:badge_download", args=[badge.pk])).status_code == 403
    assert login_client(viewer.user).get(reverse("programs:badge_download", args=[badge.pk])).status_code == 200

    with pytest.raises(DomainError) as twice:
        grant(tenant_a)
    with pytest.raises(DomainError) as member:
        badges.grant(actor_of(tenant_a.admin), partner=tenant_a.partner, capability="x", earned_on=date(2026, 1, 1))
    with pytest.raises(DomainError) as window:
        grant(tenant_a, capability="y", valid_until=date(2026, 1, 10))
    assert (twice.value.code, member.value.code, window.value.code) == (
        BenefitCodes.BADGE_EXISTS, Codes.FORBIDDEN, BenefitCodes.BADGE_WINDOW)
    assert Badge.objects.count() == 1
    assert Event.objects.get(type="badge.granted").data["capability"] == "云迁移"
    log = OperationLog.objects.get(action="programs.badge_grant", result="success")
    assert (log.partner, log.actor_kind) == (tenant_a.partner, "operator")
