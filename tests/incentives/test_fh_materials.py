"""The materials of an FH list: checked by content and extension, stored privately under fh/, served only to the
owning partner (incentives.fh) or operators allowed to review FH lists; another partner's is 404; removing one
deletes its file; a refused batch stores nothing."""

from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from incentives import fh_months
from incentives.models_fh import FhMaterial
from partnercenter.errors import DomainError
from programs.errors_reviews import ReviewCodes
from tests.factories import MemberFactory, RoleFactory, UserFactory

from ..conftest import actor_of, login_client
from .fh_fixtures import PDF, fh_partner, generate_at, make_operator, pdf, shanghai

pytestmark = pytest.mark.django_db

DURING = shanghai(2026, 4, 2, 10, 0)


@pytest.fixture
def world(tenant_a, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    w = fh_partner(tenant_a)
    generate_at(shanghai(2026, 4, 1, 9, 15))
    w.month = w.partner.fh_months.get()
    w.root = tmp_path
    return w


def upload(world, *files):
    with time_machine.travel(DURING, tick=False):
        return fh_months.upload_materials(actor_of(world.tenant.admin), fh_month=world.month, files=list(files))


def test_a_material_is_stored_privately_under_a_random_name(world):
    [material] = upload(world, pdf("社保证明.pdf"))
    assert material.file.name.startswith(f"fh/{world.partner.pk}/") and not material.file.name.endswith(".pdf")
    assert (world.root / material.file.name).read_bytes() == PDF
    assert (material.original_name, material.content_type, material.size) == ("社保证明.pdf", "application/pdf",
                                                                             len(PDF))


def test_a_refused_file_stores_none_of_the_batch(world):
    with pytest.raises(DomainError) as refused:
        upload(world, pdf("good.pdf"), pdf("evil.pdf", b"MZ\x90\x00 not a pdf"))
    assert refused.value.code == ReviewCodes.UPLOAD_TYPE
    assert not FhMaterial.objects.exists()
    assert not any(p.is_file() for p in Path(world.root).rglob("*"))


def test_the_owner_downloads_another_partner_gets_404(world, tenant_b):
    [material] = upload(world, pdf())
    url = reverse("incentives:fh_material", args=[material.pk])
    owner = login_client(world.tenant.admin.user).get(url)
    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    assert owner["Content-Disposition"].startswith("attachment") and owner["X-Content-Type-Options"] == "nosniff"
    assert login_client(tenant_b.admin.user).get(url).status_code == 404
    assert login_client(world.tenant.member.user).get(url).status_code == 404          # no incentives.fh
    fh_role = RoleFactory(partner=world.partner, permissions=["incentives.fh"])
    fh_member = MemberFactory(partner=world.partner, user__username="a.fh", roles=[fh_role])
    assert login_client(fh_member.user).get(url).status_code == 200
    assert login_client(UserFactory(username="plain")).get(url).status_code == 404
    assert login_client(world.tenant.admin.user).get(reverse("incentives:fh_material", args=[99999])) \
        .status_code == 404


def test_operators_need_a_right_on_fh_lists(world):
    [material] = upload(world, pdf())
    url = reverse("incentives:fh_material", args=[material.pk])
    staff = UserFactory(username="staff.nobody", is_staff=True)
    assert login_client(staff).get(url).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_fhmonth"))
    staff = type(staff).objects.get(pk=staff.pk)
    assert login_client(staff).get(url).status_code == 200
    assert login_client(make_operator()).get(url).status_code == 200


def test_removing_a_material_deletes_its_file(world, django_capture_on_commit_callbacks):
    [material] = upload(world, pdf())
    stored = world.root / material.file.name
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DURING, tick=False):
        fh_months.remove_material(actor_of(world.tenant.admin), fh_month=world.month, material_pk=material.pk)
    assert not FhMaterial.objects.exists() and not stored.exists()


def test_materials_are_locked_once_submitted(world):
    upload(world, pdf())
    with time_machine.travel(DURING, tick=False):
        fh_months.submit(actor_of(world.tenant.admin), fh_month=world.month)
    with pytest.raises(DomainError) as refused:
        upload(world, pdf())
    assert refused.value.code == "CBC.99011310"
