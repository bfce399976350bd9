"""项目专员: the documented conditions of an application, cancel and apply again, operators' decisions, the
profile a member keeps itself, and the pages."""

from datetime import date

import pytest
from django.urls import reverse

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import profiles, specialists
from programs.catalogue import DTCSI, SOFTWARE
from programs.choices import SpecialistStatus
from programs.errors_benefits import BenefitCodes
from programs.models import MemberProfile, Path, ProjectSpecialist

from ..conftest import actor_of, login_client
from .test_benefits_support import enrol, english, located, member_with, operator

pytestmark = pytest.mark.django_db


def apply(tenant, member, path_code=DTCSI, **kwargs):
    return specialists.apply(actor_of(tenant.admin), member_id=member.pk,
                             path_id=Path.objects.get(code=path_code).pk, **kwargs)


def refusal_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_an_administrator_applies_for_a_member_with_a_work_location(programmes, tenant_a):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    specialist = apply(tenant_a, tenant_a.member)

    assert (specialist.status, specialist.member, specialist.applied_by) == (
        SpecialistStatus.APPLYING, tenant_a.member, tenant_a.admin.user)
    log = OperationLog.objects.get(action="programs.specialist_apply")
    assert (log.partner, log.result, log.detail["path"]) == (tenant_a.partner, "success", DTCSI)


def test_the_documented_refusals(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner)
    software = Path.objects.get(code=SOFTWARE)
    software.has_specialists = False  # a plan without project specialists
    software.save()
    enrol(tenant_a.partner, SOFTWARE)

    # no 工作常驻地 (no profile, then an empty one)
    assert refusal_of(lambda: apply(tenant_a, tenant_a.member)) == BenefitCodes.NO_WORK_LOCATION
    MemberProfile.objects.create(member=tenant_a.member, post="SA")
    assert refusal_of(lambda: apply(tenant_a, tenant_a.member)) == BenefitCodes.NO_WORK_LOCATION
    located(tenant_a.member)
    # a path without project specialists
    assert refusal_of(lambda: apply(tenant_a, tenant_a.member, SOFTWARE)) == BenefitCodes.PATH_WITHOUT_SPECIALISTS
    # an open one on the path already, then an approved one
    first = apply(tenant_a, tenant_a.member)
    assert refusal_of(lambda: apply(tenant_a, tenant_a.member)) == BenefitCodes.SPECIALIST_OPEN
    specialists.approve(operator(), specialist_id=first.pk)
    assert refusal_of(lambda: apply(tenant_a, tenant_a.member)) == BenefitCodes.SPECIALIST_OPEN
    # a member whose login was deactivated is no longer linked
    located(tenant_a.admin)
    tenant_a.admin.user.is_active = False
    tenant_a.admin.user.save()
    other_admin = member_with(tenant_a, "benefits.apply")
    assert refusal_of(lambda: specialists.apply(actor_of(other_admin), member_id=tenant_a.admin.pk,
                                                path_id=first.path_id)) == BenefitCodes.MEMBER_NOT_LINKED
    # another partner's member is not found; a partner not on the path is refused
    located(tenant_b.member)
    assert refusal_of(lambda: specialists.apply(actor_of(other_admin), member_id=tenant_b.member.pk,
                                                path_id=first.path_id)) == Codes.NOT_FOUND
    assert refusal_of(lambda: apply(tenant_b, tenant_b.member)) == BenefitCodes.NOT_ON_PATH
    assert ProjectSpecialist.objects.count() == 1
    assert OperationLog.objects.filter(action="programs.specialist_apply", result="failure").count() == 7


def test_only_a_member_with_benefits_apply_applies(programmes, tenant_a):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    viewer = member_with(tenant_a, "benefits.view")
    assert refusal_of(lambda: specialists.apply(actor_of(viewer), member_id=tenant_a.member.pk,
                                                path_id=Path.objects.get(code=DTCSI).pk)) == Codes.FORBIDDEN


def test_a_cancelled_one_may_apply_again_and_a_rejected_one_too(programmes, tenant_a):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    first = apply(tenant_a, tenant_a.member)
    specialists.approve(operator(), specialist_id=first.pk)
    cancelled = specialists.cancel(actor_of(tenant_a.admin), specialist_id=first.pk)
    assert cancelled.status == SpecialistStatus.CANCELLED
    assert refusal_of(lambda: specialists.cancel(actor_of(tenant_a.admin), specialist_id=first.pk)) \
        == BenefitCodes.NOT_CANCELLABLE

    second = apply(tenant_a, tenant_a.member)
    specialists.reject(operator(), specialist_id=second.pk, reason="专家能力考察未通过")
    third = apply(tenant_a, tenant_a.member)

    assert list(ProjectSpecialist.objects.order_by("pk").values_list("status", flat=True)) == [
        SpecialistStatus.CANCELLED, SpecialistStatus.REJECTED, SpecialistStatus.APPLYING]
    assert third.pk != first.pk


def test_operators_decide_once_with_a_reason_to_reject_and_the_partner_is_told(programmes, tenant_a):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    specialist = apply(tenant_a, tenant_a.member)
    assert refusal_of(lambda: specialists.reject(operator(), specialist_id=specialist.pk, reason=" ")) \
        == BenefitCodes.REASON_REQUIRED
    assert refusal_of(lambda: specialists.approve(actor_of(tenant_a.admin), specialist_id=specialist.pk)) \
        == Codes.FORBIDDEN
    specialists.approve(operator("ops.2"), specialist_id=specialist.pk)
    assert refusal_of(lambda: specialists.reject(operator("ops.3"), specialist_id=specialist.pk, reason="x")) \
        == BenefitCodes.NOT_PENDING

    event = Event.objects.get(type="specialist.decided")
    assert (event.partner, event.data["decision"], event.data["member"]) == (
        tenant_a.partner, "approved", tenant_a.member.display_name)
    log = OperationLog.objects.get(action="programs.specialist_approve")
    assert (log.partner, log.actor_kind, log.result) == (tenant_a.partner, "operator", "success")


def test_a_member_keeps_its_own_profile_only(programmes, tenant_a):
    saved = profiles.update_own_profile(actor_of(tenant_a.member), work_location=" 杭州 ", post="解决方案架构师",
                                        uniportal_account="zhang.san")
    assert (saved.member, saved.work_location) == (tenant_a.member, "杭州")
    assert OperationLog.objects.get(action="programs.profile_update").target_id == str(tenant_a.member.pk)

    # The page edits the signed-in member's own profile, whoever else's id is posted.
    client = login_client(tenant_a.admin.user)
    response = client.post(reverse("programs:profile"), {"work_location": "北京", "post": "CEO",
                                                         "member": tenant_a.member.pk})
    assert response.status_code == 302
    assert MemberProfile.objects.get(member=tenant_a.admin).work_location == "北京"
    assert MemberProfile.objects.get(member=tenant_a.member).work_location == "杭州"


def test_the_pages_apply_with_a_confirmation_and_cancel(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    client = english(tenant_a.admin.user)
    path = Path.objects.get(code=DTCSI)
    url = reverse("programs:specialist_apply")

    form = client.get(url)
    first = client.post(url, {"member": tenant_a.member.pk, "path": path.pk})
    token = first.context["confirm"]["token"].value()
    assert not ProjectSpecialist.objects.exists()  # nothing before the confirmation
    done = client.post(url, {"member": tenant_a.member.pk, "path": path.pk, "confirm": "1", "token": token})
    listed = client.get(reverse("programs:specialists"))
    foreign = client.post(url, {"member": tenant_b.member.pk, "path": path.pk})

    assert form.status_code == 200 and b"no work location" in form.content  # the admin itself has none
    assert b"Send this application?" in first.content
    assert done.status_code == 302
    specialist = ProjectSpecialist.objects.get(member=tenant_a.member)
    assert tenant_a.member.display_name.encode() in listed.content
    assert foreign.status_code == 200 and "member" in foreign.context["form"].errors  # not a choice

    cancel_url = reverse("programs:specialist_cancel", args=[specialist.pk])
    step = client.post(cancel_url)
    client.post(cancel_url, {"confirm": "1", "token": step.context["confirm"]["token"].value()})
    assert ProjectSpecialist.objects.get(pk=specialist.pk).status == SpecialistStatus.CANCELLED
    assert login_client(tenant_b.admin.user).post(cancel_url).status_code == 404


def test_the_list_shows_each_specialists_post_and_start_the_fh_list_needs(programmes, tenant_a):
    enrol(tenant_a.partner)
    path = Path.objects.get(code=DTCSI)
    kept = member_with(tenant_a)
    located(kept, post="售前解决方案经理", started_with_cloud_on=date(2024, 6, 1))
    bare = member_with(tenant_a)
    located(bare)
    for member in (kept, bare):
        ProjectSpecialist.objects.create(member=member, path=path, status=SpecialistStatus.APPROVED)

    page = english(tenant_a.admin.user).get(reverse("programs:specialists")).content.decode()

    assert 'id="specialist-fh-condition"' in page and "left off the monthly list" in page
    rows = {pk: page.split(f'data-specialist="{pk}"')[1].split("</tr>")[0]
            for pk in ProjectSpecialist.objects.values_list("pk", flat=True)}
    kept_row = rows[ProjectSpecialist.objects.get(member=kept).pk]
    bare_row = rows[ProjectSpecialist.objects.get(member=bare).pk]
    assert "售前解决方案经理" in kept_row and "since 2024-06-01" in kept_row
    assert '<td class="post">—</td>' in bare_row


def test_a_refusal_shows_on_the_page(programmes, tenant_a):
    enrol(tenant_a.partner)
    client = english(tenant_a.admin.user)
    path = Path.objects.get(code=DTCSI)
    url = reverse("programs:specialist_apply")
    first = client.post(url, {"member": tenant_a.member.pk, "path": path.pk})
    refused = client.post(url, {"member": tenant_a.member.pk, "path": path.pk, "confirm": "1",
                                "token": first.context["confirm"]["token"].value()})
    assert refused.status_code == 200
    assert "work location" in " ".join(refused.context["form"].non_field_errors())
    assert not ProjectSpecialist.objects.exists()


def test_page_permissions(programmes, tenant_a):
    enrol(tenant_a.partner)
    plain = member_with(tenant_a)
    viewer = member_with(tenant_a, "benefits.view")
    assert login_client(plain.user).get(reverse("programs:specialists")).status_code == 403
    assert login_client(viewer.user).get(reverse("programs:specialists")).status_code == 200
    assert login_client(viewer.user).get(reverse("programs:specialist_apply")).status_code == 403
    assert login_client(plain.user).get(reverse("programs:profile")).status_code == 200  # any member: its own
