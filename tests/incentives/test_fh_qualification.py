"""资格申请 of the FH staff incentive: only partners on 数字化转型咨询与系统集成 at 能力差异化认证 may sign the FH agreement,
with a refusal that says where they stand; operators approve or reject; a rejected partner may apply again."""

import pytest
from django.test import override_settings
from django.utils import translation

from events.models import Event
from incentives import fh_qualification
from incentives.choices import FhQualificationStatus
from incentives.errors_fh import FhCodes
from incentives.event_types_fh import FH_QUALIFICATION_DECIDED
from incentives.models_fh import FhQualification
from partnercenter.actors import actor_for_access_key
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from programs.catalogue import ROLE_CERTIFIED, seed_definitions

from ..conftest import actor_of
from .fh_fixtures import enrol, make_operator

pytestmark = pytest.mark.django_db


def sign(tenant, **kwargs):
    return fh_qualification.apply(actor_of(tenant.admin), **{"signer_name": "张三", "accepted": True, **kwargs})


def refused(tenant, code, **kwargs):
    with pytest.raises(DomainError) as caught:
        sign(tenant, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


def test_a_partner_not_on_the_path_is_refused_with_where_it_stands(tenant_a):
    seed_definitions()
    error = refused(tenant_a, FhCodes.NOT_ELIGIBLE)
    assert "数字化转型咨询与系统集成" in str(error.message) and "能力差异化认证" in str(error.message)
    enrol(tenant_a.partner, ROLE_CERTIFIED)
    error = refused(tenant_a, FhCodes.NOT_ELIGIBLE)
    assert "角色认证" in str(error.message)
    with translation.override("en"):
        assert "stage" in str(refused(tenant_a, FhCodes.NOT_ELIGIBLE).message)
    assert not FhQualification.objects.exists()
    assert OperationLog.objects.filter(action="incentives.fh_qualify", error_code=FhCodes.NOT_ELIGIBLE).count() == 3


@override_settings(FH_AGREEMENT_VERSION="2026.9")
def test_signing_keeps_the_version_the_signer_and_where_from(tenant_a):
    enrol(tenant_a.partner)
    qualification = sign(tenant_a, signer_name="  张三  ")
    assert qualification.status == FhQualificationStatus.APPLYING
    assert (qualification.agreement_version, qualification.signer_name) == ("2026.9", "张三")
    assert qualification.signed_by == tenant_a.admin.user and qualification.ip_address == "127.0.0.1"
    refused(tenant_a, FhCodes.ALREADY_QUALIFIED)


def test_the_agreement_must_be_ticked_and_signed_by_a_person(tenant_a):
    enrol(tenant_a.partner)
    refused(tenant_a, FhCodes.AGREEMENT_NOT_ACCEPTED, accepted=False)
    refused(tenant_a, "CBC.0100", signer_name="  ")
    key_actor = actor_for_access_key(tenant_a.key)
    with pytest.raises(DomainError) as caught:
        fh_qualification.apply(key_actor, signer_name="机器", accepted=True)
    assert caught.value.code == FhCodes.SIGNER_NOT_A_PERSON
    with pytest.raises(DomainError) as caught:                       # an account manager without incentives.fh
        fh_qualification.apply(actor_of(tenant_a.member), signer_name="李四", accepted=True)
    assert caught.value.code == "CBC.0151"
    assert not FhQualification.objects.exists()


def test_operators_approve_or_reject_and_the_partner_may_apply_again(tenant_a):
    enrol(tenant_a.partner)
    operator = actor_of(make_operator())
    qualification = sign(tenant_a)
    with pytest.raises(DomainError) as caught:
        fh_qualification.approve(actor_of(tenant_a.admin), qualification=qualification)
    assert caught.value.code == "CBC.0151"
    with pytest.raises(DomainError) as caught:
        fh_qualification.reject(operator, qualification=qualification, reason=" ")
    assert caught.value.code == FhCodes.REASON_REQUIRED

    fh_qualification.reject(operator, qualification=qualification, reason="专家答辩未通过")
    assert Event.objects.get(type=FH_QUALIFICATION_DECIDED).data == {
        "qualification_id": qualification.pk, "decision": "rejected", "reason": "专家答辩未通过"}
    again = sign(tenant_a)
    assert again.pk == qualification.pk and again.status == FhQualificationStatus.APPLYING and again.reason == ""
    fh_qualification.approve(operator, qualification=again)
    again.refresh_from_db()
    assert again.status == FhQualificationStatus.APPROVED and again.decided_at is not None
    with pytest.raises(DomainError) as caught:
        fh_qualification.approve(operator, qualification=again)
    assert caught.value.code == FhCodes.QUALIFICATION_NOT_PENDING
    refused(tenant_a, FhCodes.ALREADY_QUALIFIED)
    assert OperationLog.objects.filter(action="incentives.fh_qualification_approve", partner=tenant_a.partner,
                                       result="success").count() == 1


def test_approving_a_partner_that_dropped_below_the_threshold_is_refused(tenant_a):
    enrol(tenant_a.partner)
    qualification = sign(tenant_a)
    enrol(tenant_a.partner, ROLE_CERTIFIED)
    with pytest.raises(DomainError) as caught:
        fh_qualification.approve(actor_of(make_operator()), qualification=qualification)
    assert caught.value.code == FhCodes.NOT_ELIGIBLE
