"""Members, roles and invitations: the rules of 组织, through services and pages."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnercenter import services, tasks
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Invitation, Member, OperationLog, Role
from partnercenter.permissions import ALL_CODES

from ..conftest import actor_of, login_client
from ..factories import PASSWORD, MemberFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_custom_role_and_its_rights_apply(tenant_a):
    role = services.create_role(actor_of(tenant_a.admin), name="财务专员",
                                permissions=["billing.view", "funds.allocate", "resellers.view"])
    services.set_member_roles(actor_of(tenant_a.admin), member_id=tenant_a.member.pk, role_ids=[role.pk])

    member = actor_of(Member.objects.get(pk=tenant_a.member.pk))
    assert role.permissions == ["billing.view", "funds.allocate"]  # reseller rights only for distributors
    assert member.has_perm("funds.allocate") and not member.has_perm("customers.view")


def test_unknown_permissions_and_duplicate_names_are_refused(tenant_a):
    actor = actor_of(tenant_a.admin)
    with pytest.raises(DomainError) as unknown:
        services.create_role(actor, name="x", permissions=["root.everything"])
    with pytest.raises(DomainError) as duplicate:
        services.create_role(actor, name=tenant_a.role.name)
    assert (unknown.value.code, duplicate.value.code) == (Codes.PARAMETER, Codes.CONFLICT)
    assert Role.objects.filter(partner=tenant_a.partner).count() == 2


def test_the_administrator_role_is_fixed_and_always_held_by_someone(tenant_a):
    actor = actor_of(tenant_a.admin)
    with pytest.raises(DomainError):
        services.update_role(actor, role_id=tenant_a.admin_role.pk, name="x")
    with pytest.raises(DomainError):
        services.delete_role(actor, role_id=tenant_a.admin_role.pk)
    deputy = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner, permissions=sorted(ALL_CODES))])
    with pytest.raises(DomainError) as last_admin:
        services.set_member_roles(actor_of(deputy), member_id=tenant_a.admin.pk, role_ids=[tenant_a.role.pk])
    assert last_admin.value.code == Codes.CONFLICT
    assert list(tenant_a.admin.roles.all()) == [tenant_a.admin_role]


def test_a_role_in_use_cannot_be_deleted(tenant_a):
    with pytest.raises(DomainError) as in_use:
        services.delete_role(actor_of(tenant_a.admin), role_id=tenant_a.role.pk)
    assert in_use.value.code == Codes.CONFLICT


def test_a_member_without_role_rights_cannot_change_roles(tenant_a):
    with pytest.raises(DomainError) as refused:
        services.create_role(actor_of(tenant_a.member), name="mine", permissions=["org.manage_roles"])
    assert refused.value.code == Codes.FORBIDDEN


def test_supervisor_cycles_are_refused(tenant_a):
    actor = actor_of(tenant_a.admin)
    lead = MemberFactory(partner=tenant_a.partner)
    services.update_member(actor, member_id=tenant_a.member.pk, display_name="am", supervisor_id=lead.pk)
    with pytest.raises(DomainError):
        services.update_member(actor, member_id=lead.pk, display_name="lead", supervisor_id=tenant_a.member.pk)


@pytest.mark.django_db(transaction=True)
def test_an_invited_member_joins_by_link_with_their_roles(tenant_a):
    client = login_client(tenant_a.admin.user)
    response = client.post("/org/members/", {"email": "new@example.com", "display_name": "新同事",
                                             "roles": [tenant_a.role.pk], "supervisor": tenant_a.admin.pk})
    assert response.status_code == 302
    path = re.search(r"http://testserver(/invite/\S+/)", mail.outbox[-1].body).group(1)

    joined = Client().post(path, {"username": "newbie", "password1": "Long-pass-2026", "password2": "Long-pass-2026"})
    assert joined["Location"] == "/login/"
    member = Member.objects.get(user__username="newbie")
    assert (member.partner, list(member.roles.all()), member.supervisor) == (tenant_a.partner, [tenant_a.role], tenant_a.admin)
    assert Client().get(path).status_code == 404  # used once
    assert OperationLog.objects.filter(action="member.join", result="success").exists()


def test_an_expired_invitation_cannot_be_used_and_the_task_marks_it_once(tenant_a):
    invitation, token = services.invite_member(actor_of(tenant_a.admin), email="late@example.com", display_name="Late")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert Client().get(f"/invite/{token}/").status_code == 404
    assert tasks.expire_invitations() == 1
    assert tasks.expire_invitations() == 0
    invitation.refresh_from_db()
    assert invitation.status == "expired"


def test_only_the_token_hash_is_stored(tenant_a):
    invitation, token = services.invite_member(actor_of(tenant_a.admin), email="x@example.com", display_name="X")
    assert token not in invitation.token_hash


def test_member_pages_work_for_an_admin(tenant_a, admin_client_a):
    for url in ("/", "/sales/", "/organization/", "/org/members/", f"/org/members/{tenant_a.member.pk}/",
                "/org/roles/", "/org/roles/new/", f"/org/roles/{tenant_a.role.pk}/", "/org/operation-logs/",
                "/org/security/", "/account/security/", "/credentials/", "/customers/",
                "/expansion/", "/billing/", "/incentives/details/", "/benefits/", "/programmes/"):
        assert admin_client_a.get(url).status_code == 200, url
    assert admin_client_a.get("/resellers/").status_code == 403  # not a distributor


def test_the_role_form_saves_permissions(tenant_a, admin_client_a):
    response = admin_client_a.post("/org/roles/new/", {"name": "SA", "permissions": ["customers.view", "customers.view_all"]})
    assert response.status_code == 302
    assert Role.objects.get(partner=tenant_a.partner, name="SA").permissions == ["customers.view", "customers.view_all"]


def test_sign_in_with_password_set_by_the_factory(tenant_a):
    assert Client().post("/login/", {"username": tenant_a.admin.user.username, "password": PASSWORD}).status_code == 302


def test_people_are_listed_by_pinyin(tenant_a, admin_client_a):
    """组织 ▸ 人员 and the account-manager choices: 陈 (chen) before 李 (li) before 张 (zhang), though 张 (U+5F20)
    comes before 李 (U+674E) and 陈 (U+9648) by code point — on PostgreSQL (ICU) and SQLite (pypinyin) alike."""
    from partnercenter import selectors

    Member.objects.filter(partner=tenant_a.partner).update(display_name="甲")  # the fixtures' own members, apart
    for name in ("张三", "陈七", "李四"):
        MemberFactory(partner=tenant_a.partner, display_name=name)

    page = admin_client_a.get("/org/members/").content.decode()
    listed = [name for name in re.findall(r"张三|陈七|李四", page)]
    managers = [m.display_name for m in selectors.account_managers_for(actor_of(tenant_a.admin))
                if m.display_name != "甲"]

    assert listed[:3] == managers == ["陈七", "李四", "张三"]
