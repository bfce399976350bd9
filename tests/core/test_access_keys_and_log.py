"""Access keys (我的凭证) and the operation log (操作记录)."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from partnercenter import secretbox, services
from partnercenter.errors import Codes, DomainError
from partnercenter.models import AccessKey, OperationLog

from ..conftest import actor_of, login_client
from ..factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


def test_the_sk_is_encrypted_at_rest_and_shown_once(tenant_a, admin_client_a):
    response = admin_client_a.post("/credentials/", {"description": "ERP"})
    body = response.content.decode()
    key = AccessKey.objects.get(description="ERP")
    secret = secretbox.decrypt(key.sk_encrypted)

    assert secret in body and key.ak in body
    assert secret not in key.sk_encrypted
    assert response["Cache-Control"] == "no-store"
    csv_link = body.split('href="data:text/csv;charset=utf-8;base64,')[1].split('"')[0]
    assert secret in base64.b64decode(csv_link).decode()
    assert secret not in admin_client_a.get("/credentials/").content.decode()


def test_two_keys_per_user_at_most(tenant_a):
    actor = actor_of(tenant_a.admin)  # already holds one key
    services.create_access_key(actor)
    with pytest.raises(DomainError) as refused:
        services.create_access_key(actor)
    assert refused.value.code == Codes.LIMIT_REACHED
    assert AccessKey.objects.filter(user=tenant_a.admin.user).count() == 2


def test_disable_enable_and_delete_through_confirmation_pages(tenant_a, admin_client_a):
    url = f"/credentials/{tenant_a.key.pk}/"
    assert admin_client_a.get(url + "disable/").status_code == 200  # the confirmation page
    admin_client_a.post(url + "disable/")
    assert AccessKey.objects.get(pk=tenant_a.key.pk).status == "disabled"
    admin_client_a.post(url + "enable/")
    assert AccessKey.objects.get(pk=tenant_a.key.pk).status == "active"
    admin_client_a.post(url + "delete/")
    assert not AccessKey.objects.filter(pk=tenant_a.key.pk).exists()


def test_a_customer_user_manages_keys_for_their_own_account(tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    client = login_client(customer_user.user)
    client.post("/credentials/", {"description": "mine"})
    key = AccessKey.objects.get(description="mine")
    assert (key.partner, key.user) == (None, customer_user.user)
    assert tenant_a.key.ak not in client.get("/credentials/").content.decode()


def test_a_member_without_the_right_cannot_create_keys(tenant_a):
    with pytest.raises(DomainError):
        services.create_access_key(actor_of(tenant_a.member))
    assert login_client(tenant_a.member.user).get("/credentials/").status_code == 403


def test_every_write_is_logged_with_actor_target_result_and_ip(tenant_a):
    key, _secret = services.create_access_key(actor_of(tenant_a.admin), description="logged")
    with pytest.raises(DomainError):
        services.delete_access_key(actor_of(tenant_a.admin), key_id=999999)

    entry = OperationLog.objects.get(action="access_key.create", target_id=key.ak)
    assert (entry.partner, entry.actor_label, entry.result, entry.ip) == (
        tenant_a.partner, tenant_a.admin.user.username, "success", "127.0.0.1"
    )
    assert tenant_a.secret not in str(entry.detail)


def test_a_refused_write_is_logged_as_a_failure(tenant_a):
    with pytest.raises(DomainError):
        services.create_role(actor_of(tenant_a.admin), name=tenant_a.role.name)
    entry = OperationLog.objects.filter(action="role.create").latest("id")
    assert (entry.result, entry.error_code) == ("failure", Codes.CONFLICT)


def test_the_log_is_append_only(tenant_a):
    services.create_access_key(actor_of(tenant_a.admin))
    entry = OperationLog.objects.latest("id")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        OperationLog.objects.all().update(result="success")
    with pytest.raises(TypeError):
        OperationLog.objects.all().delete()


def test_the_log_page_filters_and_shows_only_the_partners_rows(tenant_a, tenant_b, admin_client_a):
    services.create_role(actor_of(tenant_a.admin), name="A-role")
    services.create_role(actor_of(tenant_b.admin), name="B-role")
    with pytest.raises(DomainError):
        services.create_role(actor_of(tenant_a.admin), name="A-role")

    everything = admin_client_a.get("/org/operation-logs/").content.decode()
    failures = admin_client_a.get("/org/operation-logs/?result=failure&action=role.create").content.decode()
    assert "A-role" in everything and "B-role" not in everything
    assert failures.count("CBC.0162") == 1 and "role.create" in failures
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "A-role" in admin_client_a.get(f"/org/operation-logs/?date_from={today}&date_to={today}").content.decode()
    later = admin_client_a.get(f"/org/operation-logs/?date_from={tomorrow}").content.decode()
    assert "A-role" not in later and '<option value="" selected>全部</option>' in later
    assert login_client(tenant_a.member.user).get("/org/operation-logs/").status_code == 403
