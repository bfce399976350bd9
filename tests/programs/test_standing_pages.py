"""The standing pages and the home panel: what a member sees with and without the permissions, every refusal
shown, applications from the pages, another partner's membership not found, and the operators' admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from programs.catalogue import DISTRIBUTOR, DTCSI, SOFTWARE
from programs.choices import ApplicationStatus, MembershipStatus, Metric, ProgramKind, RequirementKind
from programs.models import (
    LevelRequest, Membership, Path, PathEnrolment, Program, ProgramLevel, Requirement, RequirementConfirmation,
)

from ..conftest import login_client
from ..factories import MemberFactory, RoleFactory, UserFactory
from .test_standing_levels import joined
from .test_standing_support import (
    arrears, as_applicant, certify, enrol, own_account, program, sign, specialist, stage,
)

pytestmark = pytest.mark.django_db


def client_of(member):
    client = login_client(member.user)
    client.cookies["django_language"] = "en"
    return client


def viewer(tenant):
    """A member who may look (programs.view) but not apply."""
    role = RoleFactory(partner=tenant.partner, permissions=["programs.view"])
    return MemberFactory(partner=tenant.partner, roles=[role])


# ---------------------------------------------------------------------------------------------
# The home panel
# ---------------------------------------------------------------------------------------------

def test_home_panel_says_when_the_partner_is_on_no_path_and_points_to_the_paths_page(programmes, tenant_a):
    body = client_of(tenant_a.admin).get(reverse("home")).content.decode()
    assert 'id="home-paths"' in body and 'id="no-path"' in body
    assert f'href="{reverse("programs:paths")}"' in body


def test_home_panel_shows_the_stage_and_what_the_next_stage_misses(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "registered")
    certify(tenant_a.partner)

    body = client_of(tenant_a.admin).get(reverse("home")).content.decode()

    assert f'data-path="{DTCSI}"' in body and 'data-stage="registered"' in body
    assert "Next stage: 角色认证 — 1 of 3 requirements met." in body
    assert "签署伙伴协议" in body and "至少 1 名项目专员" in body and "完成商业信息认证" not in body


def test_home_panel_is_hidden_without_programs_view(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "registered")
    body = client_of(tenant_a.member).get(reverse("home")).content.decode()
    assert 'id="home-paths"' not in body


def _home_paths_panel(client) -> str:
    body = client.get(reverse("home")).content.decode()
    start = body.index('id="home-paths"')
    return body[start:body.index("</section>", start)]


def test_home_panel_links_a_requirement_only_to_pages_the_member_may_open(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "role-certified")        # next: 3 specialists, 5 customers, a confirmation
    customers, specialists = reverse("customers:list"), reverse("programs:specialists")

    full = _home_paths_panel(client_of(tenant_a.admin))
    limited = _home_paths_panel(client_of(viewer(tenant_a)))   # programs.view only

    assert f'href="{customers}"' in full and f'href="{specialists}"' in full
    assert "服务至少 5 个客户" in limited and "至少 3 名项目专员" in limited
    assert f'href="{customers}"' not in limited and f'href="{specialists}"' not in limited
    paths_page = client_of(viewer(tenant_a)).get(reverse("programs:paths")).content.decode()
    assert "服务至少 5 个客户" in paths_page and f'href="{customers}"' not in paths_page


def _home_statements(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


def test_home_page_statements_do_not_grow_with_paths_requirements_or_rows(programmes, tenant_a):
    client = client_of(tenant_a.admin)
    enrol(tenant_a.partner, DTCSI, "role-certified")
    _home_statements(client)                        # warm the session and caches
    few = _home_statements(client)

    enrol(tenant_a.partner, SOFTWARE, "registered")
    for n in range(5):
        Requirement.objects.create(stage=stage(DTCSI, "differentiated"), label=f"额外 {n}",
                                   kind=RequirementKind.COMPUTED, metric=Metric.CUSTOMERS, threshold=1, rank=10 + n)
        Requirement.objects.create(stage=stage(DTCSI, "differentiated"), label=f"确认 {n}",
                                   kind=RequirementKind.CONFIRMED, rank=20 + n)
        specialist(tenant_a.partner)
        sign(tenant_a.partner, version=f"v{n}")

    body = client.get(reverse("home")).content.decode()
    assert "确认 4" in body and "额外 4" not in body   # unconfirmed is missing; two customers meet "额外 4"
    assert _home_statements(client) == few


# ---------------------------------------------------------------------------------------------
# 华为云伙伴计划
# ---------------------------------------------------------------------------------------------

def test_programmes_page_needs_programs_view(programmes, tenant_a):
    assert client_of(tenant_a.member).get(reverse("programs:programs")).status_code == 403
    assert client_of(tenant_a.member).get(reverse("programs:paths")).status_code == 403


def test_programmes_page_offers_to_join_and_shows_the_offline_text(programmes, tenant_a):
    as_applicant(tenant_a.partner)
    body = client_of(tenant_a.admin).get(reverse("programs:programs")).content.decode()

    assert f'href="{reverse("programs:join", args=[program().code])}"' in body
    assert "This programme is applied for offline" in body
    assert f'href="{reverse("programs:join", args=[DISTRIBUTOR])}"' not in body


def test_programmes_page_lists_every_reason_instead_of_the_button(programmes, tenant_a):
    as_applicant(tenant_a.partner)
    account = own_account(tenant_a.partner, has_credit_debt=True)
    arrears(account)

    body = client_of(tenant_a.admin).get(reverse("programs:programs")).content.decode()

    assert 'data-reason="in_arrears"' in body and 'data-reason="credit_account"' in body
    assert "Your account has a credit account." in body
    assert f'href="{reverse("programs:join", args=[program().code])}"' not in body


def test_a_solution_provider_is_shown_in_the_plan_by_its_type_and_a_recorded_membership_as_it_is(programmes,
                                                                                                   tenant_a):
    client = client_of(tenant_a.admin)                       # tenant_a is a solution provider, no membership row
    join_url = reverse("programs:join", args=[program().code])

    body = client.get(reverse("programs:programs")).content.decode()
    application = client.get(join_url).content.decode()
    assert 'data-status="joined-by-type"' in body and "Joined as a solution provider" in body
    assert f'href="{join_url}"' not in body and 'data-reason="already_in_plan"' not in body
    assert 'data-reason="already_in_plan"' in application and 'id="confirm-join"' not in application

    membership = joined(tenant_a.partner)                    # the demo's bj: a JOINED row with its level
    body = client.get(reverse("programs:programs")).content.decode()
    assert 'data-status="joined-by-type"' not in body and 'data-status="joined"' in body
    assert f'href="{reverse("programs:level_reasons", args=[membership.pk])}"' in body


def test_a_viewer_sees_no_apply_button_and_cannot_open_the_application(programmes, tenant_a):
    client = client_of(viewer(tenant_a))
    body = client.get(reverse("programs:programs")).content.decode()
    assert "Apply to join" not in body
    assert client.get(reverse("programs:join", args=[program().code])).status_code == 403


def _programme(code, *, joined_by=None, pending=False):
    """A solution-provider-kind programme applied for on the page, with two levels (the second needs a stage);
    joined at the first by `joined_by`, with a level request waiting when `pending`."""
    extra = Program.objects.create(code=code, kind=ProgramKind.SOLUTION_PROVIDER, name=f"计划 {code}")
    first = ProgramLevel.objects.create(program=extra, code="one", name="一级", rank=1)
    second = ProgramLevel.objects.create(program=extra, code="two", name="二级", rank=2,
                                         min_stage=stage(DTCSI, "role-certified"))
    if joined_by is not None:
        membership = Membership.objects.create(partner=joined_by, program=extra, level=first,
                                               status=MembershipStatus.JOINED)
        LevelRequest.objects.create(membership=membership, level=second, status=ApplicationStatus.REJECTED,
                                    reason="材料不全")
        if pending:
            LevelRequest.objects.create(membership=membership, level=second)
    return extra


def _programmes_statements(client):
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("programs:programs")).content.decode()
    return len(captured), body


def test_programmes_page_statements_do_not_grow_with_programmes_memberships_or_requests(programmes, tenant_a):
    partner = as_applicant(tenant_a.partner)
    arrears(own_account(partner))                           # the account reasons are read
    enrol(partner, DTCSI, "registered")
    _programme("joined-0", joined_by=partner)
    client = client_of(tenant_a.admin)
    _programmes_statements(client)                          # warm the session and caches
    few, body = _programmes_statements(client)
    assert body.count('data-reason="in_arrears"') == 1 and body.count('data-status="joined"') == 1

    for n in range(1, 6):
        _programme(f"joined-{n}", joined_by=partner, pending=n % 2 == 0)
        _programme(f"open-{n}")
    many, body = _programmes_statements(client)

    assert body.count('data-reason="in_arrears"') == 6 and body.count('data-status="joined"') == 6
    assert body.count("requested, waiting for a decision") == 2
    assert body.count('data-reason="stage_too_low"') == 0 and body.count("View reasons") == 4
    assert many == few, f"{few} statements for 4 programmes, {many} for 14"


def test_joining_from_the_page(programmes, tenant_a):
    as_applicant(tenant_a.partner)
    client = client_of(tenant_a.admin)
    url = reverse("programs:join", args=[program().code])
    assert 'id="confirm-join"' in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("programs:programs")
    assert Membership.objects.get(partner=tenant_a.partner).status == MembershipStatus.APPLYING
    assert 'data-status="applying"' in client.get(reverse("programs:programs")).content.decode()


def test_the_application_page_shows_the_reasons_and_a_refused_post_changes_nothing(programmes, tenant_a):
    as_applicant(tenant_a.partner)
    own_account(tenant_a.partner, is_org_member=True)
    client = client_of(tenant_a.admin)
    url = reverse("programs:join", args=[program().code])

    body = client.get(url).content.decode()
    posted = client.post(url)

    assert 'data-reason="enterprise"' in body and 'id="confirm-join"' not in body
    assert posted.status_code == 200 and "enterprise master account" in posted.content.decode()
    assert not Membership.objects.exists()


def test_offline_and_unknown_programmes_have_no_application_page(programmes, tenant_a):
    client = client_of(tenant_a.admin)
    assert client.get(reverse("programs:join", args=[DISTRIBUTOR])).status_code == 404
    assert client.get(reverse("programs:join", args=["nothing"])).status_code == 404


# ---------------------------------------------------------------------------------------------
# 提升等级 and 查看原因
# ---------------------------------------------------------------------------------------------

def test_raise_level_from_the_page(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "role-certified")
    client = client_of(tenant_a.admin)
    programmes_page = client.get(reverse("programs:programs")).content.decode()
    url = reverse("programs:upgrade", args=[membership.pk])

    assert f'href="{url}"' in programmes_page
    assert client.post(url).status_code == 302
    request = LevelRequest.objects.get()
    assert (request.membership, request.level.code, request.status) == (membership, "preferred",
                                                                        ApplicationStatus.APPLYING)
    assert "requested, waiting for a decision" in client.get(reverse("programs:programs")).content.decode()


def test_view_reasons_lists_why_and_links_register_a_new_account_for_a_manager_only(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    reasons_url = reverse("programs:level_reasons", args=[membership.pk])
    new_account = reverse("programs:new_account", kwargs={"code": DTCSI})   # the access area's page (manage)

    manager = client_of(tenant_a.admin)
    assert f'href="{reasons_url}"' in manager.get(reverse("programs:programs")).content.decode()
    body = manager.get(reasons_url).content.decode()
    upgrade = manager.get(reverse("programs:upgrade", args=[membership.pk])).content.decode()
    seen = client_of(viewer(tenant_a)).get(reasons_url).content.decode()

    assert 'data-reason="not_on_path"' in body and "数字化转型咨询与系统集成" in body
    assert f'href="{new_account}"' in body
    assert 'data-reason="not_on_path"' in upgrade and 'id="confirm-upgrade"' not in upgrade
    assert f'href="{new_account}"' in upgrade
    assert 'data-reason="not_on_path"' in seen and f'href="{new_account}"' not in seen   # the page would be 403
    assert client_of(viewer(tenant_a)).get(new_account).status_code == 403


def test_paths_page_links_register_a_new_account_for_a_manager_only(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "registered")
    new_account = reverse("programs:new_account", kwargs={"code": SOFTWARE})     # the path it is not on

    assert f'href="{new_account}"' in client_of(tenant_a.admin).get(reverse("programs:paths")).content.decode()
    assert f'href="{new_account}"' not in client_of(viewer(tenant_a)).get(reverse("programs:paths")).content.decode()


def test_a_stage_too_low_points_to_the_paths_page(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "registered")
    body = client_of(viewer(tenant_a)).get(reverse("programs:level_reasons", args=[membership.pk])).content.decode()
    assert 'data-reason="stage_too_low"' in body and f'href="{reverse("programs:paths")}"' in body


def test_another_partners_membership_is_not_found(programmes, tenant_a, tenant_b):
    membership = joined(tenant_a.partner)
    client = client_of(tenant_b.admin)
    for name in ("programs:upgrade", "programs:level_reasons"):
        assert client.get(reverse(name, args=[membership.pk])).status_code == 404
    assert client.post(reverse("programs:upgrade", args=[membership.pk])).status_code == 404
    assert not LevelRequest.objects.exists()


def test_upgrade_needs_programs_manage(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    client = client_of(viewer(tenant_a))
    assert client.get(reverse("programs:upgrade", args=[membership.pk])).status_code == 403
    assert client.get(reverse("programs:level_reasons", args=[membership.pk])).status_code == 200


# ---------------------------------------------------------------------------------------------
# 发展路径
# ---------------------------------------------------------------------------------------------

def test_paths_page_shows_every_path_where_the_partner_is_and_the_checklist(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "registered")
    certify(tenant_a.partner)

    body = client_of(viewer(tenant_a)).get(reverse("programs:paths")).content.decode()

    assert f'data-path="{DTCSI}"' in body and f'data-path="{SOFTWARE}"' in body
    assert 'data-stage="registered" data-state="current"' in body
    assert 'data-stage="role-certified" data-state="next"' in body
    assert body.count('data-met="1"') == 1 and body.count('data-met="0"') == 2
    assert "Your company is not on this path." in body             # the software path


# ---------------------------------------------------------------------------------------------
# The operators' admin
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def ops():
    client = login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def _action(client, model, action, pks, **extra):
    return client.post(reverse(f"admin:programs_{model}_changelist"),
                       {"action": action, "_selected_action": [str(pk) for pk in pks], **extra}, follow=True)


def test_admin_approves_and_rejects_applications_through_the_service(programmes, tenant_a, tenant_b, ops):
    first = Membership.objects.create(partner=tenant_a.partner, program=program(), status=MembershipStatus.APPLYING)
    second = Membership.objects.create(partner=tenant_b.partner, program=program(), status=MembershipStatus.APPLYING)

    _action(ops, "membership", "approve", [first.pk])
    asked = _action(ops, "membership", "reject", [second.pk])
    _action(ops, "membership", "reject", [second.pk], reason="不符合条件")

    first.refresh_from_db()
    second.refresh_from_db()
    assert 'id="reject-form"' in asked.content.decode()
    assert (first.status, first.level.code) == (MembershipStatus.JOINED, "certified")
    assert (second.status, second.reason) == (MembershipStatus.REJECTED, "不符合条件")
    assert Event.objects.filter(type="program.membership_decided").count() == 2


def test_admin_advance_is_refused_with_the_missing_requirements_then_allowed(programmes, tenant_a, ops):
    enrolment = enrol(tenant_a.partner, SOFTWARE, "registered")

    refused = _action(ops, "pathenrolment", "advance", [enrolment.pk]).content.decode()
    certify(tenant_a.partner)
    sign(tenant_a.partner)
    _action(ops, "pathenrolment", "advance", [enrolment.pk])

    enrolment.refresh_from_db()
    assert "签署伙伴协议" in refused and enrolment.stage.code == "role-certified"


def test_admin_adds_enrolments_and_confirmations_through_the_services(programmes, tenant_a, ops):
    ops.post(reverse("admin:programs_pathenrolment_add"), {
        "partner": tenant_a.partner.pk, "path": Path.objects.get(code=DTCSI).pk})
    confirmed = Requirement.objects.get(kind=RequirementKind.CONFIRMED)
    ops.post(reverse("admin:programs_requirementconfirmation_add"), {
        "partner": tenant_a.partner.pk, "requirement": confirmed.pk, "note": "答辩通过"})

    assert PathEnrolment.objects.get(partner=tenant_a.partner).stage.code == "registered"
    confirmation = RequirementConfirmation.objects.get()
    assert (confirmation.requirement, confirmation.confirmed_by.username) == (confirmed, "ops")
    for model in ("program", "path", "stage", "certifiedsolution", "membership", "levelrequest", "pathenrolment",
                  "requirementconfirmation"):
        assert ops.get(reverse(f"admin:programs_{model}_changelist")).status_code == 200
    for model, obj in (("program", program()), ("path", Path.objects.get(code=DTCSI)),
                       ("stage", stage(DTCSI, "differentiated"))):          # with their inlines
        assert ops.get(reverse(f"admin:programs_{model}_change", args=[obj.pk])).status_code == 200


def test_the_application_page_finds_only_programmes_applied_for_here(programmes):
    from programs.selectors_standing import joinable_program

    assert joinable_program(program().code) == program()
    assert [joinable_program(code) for code in (DISTRIBUTOR, "reseller", "nothing", "")] == [None] * 4
    Program.objects.filter(pk=program().pk).update(is_active=False)
    assert joinable_program(program().code) is None
