"""Tenants never meet: partner B, with its own session and keys, probes every URL of the project with
partner A's ids — in URL paths, in page query strings, in every API request field and query parameter —
and gets exactly what a made-up id gets: "not found" (404 / CBC.0156), or for a list, no rows. Never a
403 where a made-up id is not found, never one of A's names or ids it did not send itself. A's rows
(customers, accounts, the ledger, coupons, quotas, members, roles, keys, settings, its operation log, its
programmes, its 拓新 links, reports, leads, opportunities, sales tasks and entrustments, its incentive statements,
rebate, withdrawals and FH lists and payments) are the same afterwards.

The probe enumerates the URL resolver, the id-like fields of every GET form on the list pages, and the
OpenAPI schema (request bodies and query parameters), so a new page, filter or endpoint is covered
without editing this file — or makes it fail until its ids are described in PAGE_IDS, PAGE_QUERIES or
API_IDS below (or exempted with a reason). Ids that forms take in a POST body — 拓新's members and customers, the
fee center's resource ids (renew, auto-renew, at expiry, to pay-per-use, unsubscribe) — are probed from FORM_IDS;
a posted form of a list page that carries a resource id fails the description test until FORM_IDS probes it.
"""

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from partnercenter.models import AccessKey, EmailCodeDevice, Invitation, Member, OperationLog, Partner, Role

from ..conftest import build_tenant, login_client
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, ResourceFactory, make_access_key
from ..signed import call
from ..trade.order_factories import make_order

pytestmark = pytest.mark.django_db


# -------------------------------------------------------------------------------------------------
# What the probe needs to know: where ids go
# -------------------------------------------------------------------------------------------------

# How to fill each page's URL parameters with tenant A's objects (and with B's own, given as `a`).
PAGE_IDS = {
    "member_detail": lambda a: [{"pk": a.admin.pk}, {"pk": a.member.pk}],
    "revoke_invitation": lambda a: [{"pk": a.invitation.pk}],
    "role_edit": lambda a: [{"pk": a.role.pk}],
    "role_delete": lambda a: [{"pk": a.role.pk}],
    "credential_action": lambda a: [{"pk": a.key.pk, "action": action} for action in ("enable", "disable", "delete")],
    "device_remove": lambda a: [{"persistent_id": a.device.persistent_id}],
    "customers:detail": lambda a: [{"domain_id": a.resale.domain_id}, {"domain_id": a.referral.domain_id}],
    "customers:manager": lambda a: [{"domain_id": a.resale.domain_id}],
    "customers:resources": lambda a: [{"domain_id": a.resale.domain_id}],
    "customers:request": lambda a: [{"domain_id": a.resale.domain_id, "action": action}
                                    for action in ("disassociate", "switch-type", "ops")],
    "customers:event_decide": lambda a: [{"pk": event.pk, "decision": decision} for event in a.events
                                         for decision in ("approve", "reject", "cancel")],
    "customers:ops_revoke": lambda a: [{"pk": a.ops.pk}],
    "reseller_manager": lambda a: [{"domain_id": a.reseller.domain_id}],
    "fee_center_decide": lambda a: [{"pk": event.pk, "decision": decision} for event in a.events
                                    for decision in ("approve", "reject", "cancel")],
    "fee_center_ops": lambda a: [{"pk": a.ops.pk, "decision": decision} for decision in ("agree", "cancel")],
    "billing:sandbox_pay": lambda a: [{"trans_id": a.recharge.trans_id}],
    "billing:reclaim": lambda a: [{"domain_id": a.resale.domain_id}, {"domain_id": a.referral.domain_id}],
    "billing:reseller_funds": lambda a: [{"domain_id": a.reseller.domain_id, "action": action}
                                         for action in ("allocate", "reclaim")],
    "vouchers:issue": lambda a: [{"quota_id": a.quota.quota_id}, {"quota_id": a.child_quota_id}],
    "notifications:detail": lambda a: [{"pk": a.notification.pk}],
    "fee_center_notification": lambda a: [{"pk": a.customer_notification.pk}],
    **{f"webhooks:{name}": lambda a: [{"uid": str(a.webhook.uid)}]
       for name in ("detail", "edit", "enable", "disable", "rotate", "delete", "test")},
    "webhooks:redeliver": lambda a: [{"uid": str(a.webhook.uid), "pk": a.delivery.pk}],
    **{name: lambda a: [{"order_id": a.order.order_id}, {"order_id": a.order.order_id.lower()}]
       for name in ("trade:order_detail", "trade:order_pay", "trade:adjust_price", "fee_center_order",
                    "fee_center_pay", "fee_center_cancel", "fee_center_ask_partner")},
    "trade:payment_request_decide": lambda a: [{"pk": a.payment_request.pk, "decision": decision}
                                               for decision in ("approve", "decline")],
    "fee_center_withdraw_request": lambda a: [{"pk": a.payment_request.pk}],
    "trade:discount_remove": lambda a: [{"pk": a.discount.pk}],
    "bills:consumption_records": lambda a: [{"domain_id": a.resale.domain_id}],
    **{name: lambda a: [{"domain_id": a.resale.domain_id}, {"domain_id": a.referral.domain_id}]
       for name in ("bills:threshold_edit", "bills:threshold_delete")},
    "fee_center_bills_fee_record": lambda a: [{"record_id": a.fee.record_id}],
    "fee_center_bills_package": lambda a: [{"order_instance_id": a.package.order_instance_id}],
    "subscriptions:renew": lambda a: [{"resource_id": a.period_resource.resource_id}],
    "subscriptions:unsubscribe": lambda a: [{"resource_id": a.period_resource.resource_id}],
    **{name: lambda a: [{"order_id": order_id} for order_id in (a.refund_order.order_id, a.refund_order.order_id.lower(),
                                                                  a.order.order_id)]
       for name in ("subscriptions:refund", "fee_center_refund")},
    # programmes (issue 15): memberships, agreements, reviews and materials, reseller requests
    "programs:upgrade": lambda a: [{"pk": a.membership.pk}],
    "programs:level_reasons": lambda a: [{"pk": a.membership.pk}],
    "programs:agreement": lambda a: [{"pk": a.agreement.pk}],
    **{f"programs:{name}": lambda a: [{"pk": a.review.pk}] for name in ("review", "review_upload", "review_submit")},
    "programs:review_material_remove": lambda a: [{"pk": a.review.pk, "material_pk": a.material.pk}],
    "programs:material": lambda a: [{"pk": a.material.pk}, {"pk": a.licence.pk}],
    "programs:reseller_request": lambda a: [{"pk": a.reseller_request.pk}],
    "programs:reseller_request_reject": lambda a: [{"pk": a.reseller_request.pk}],
    "fee_center_reseller_withdraw": lambda a: [{"pk": a.reseller_request.pk}],
    "programs:exam_coupon": lambda a: [{"pk": a.exam_coupon.pk}],
    "programs:badge_download": lambda a: [{"pk": a.badge.pk}],
    "programs:specialist_cancel": lambda a: [{"pk": a.specialist.pk}],
    # a package of the catalogue, but of A's path only (B is on another path): not B's to apply for
    "programs:test_coupon_apply": lambda a: [{"pk": a.test_package.pk}],
    # 拓新 (issue 16): invitation links, reports (报备), leads, HO/PO opportunities, sales tasks, entrusted resellers
    **{f"expansion:{name}": lambda a: [{"pk": a.invitation_link.pk}]
       for name in ("invitation", "invitation_revoke", "invitation_qr_png", "invitation_qr_svg")},
    "expansion:report_withdraw": lambda a: [{"pk": a.report.pk}],
    **{f"expansion:{name}": lambda a: [{"pk": a.lead.pk}]
       for name in ("lead", "lead_edit", "lead_follow_up", "lead_status", "lead_owner", "lead_call", "lead_convert")},
    # a pending HO, an accepted one (open to updates, with a collaborator), a PO waiting for the cloud
    **{f"expansion:{name}": lambda a: [{"pk": a.ho.pk}, {"pk": a.ho_open.pk}, {"pk": a.po.pk}]
       for name in ("opportunity", "opportunity_accept", "opportunity_reject", "opportunity_update",
                    "opportunity_collaborator_add")},
    "expansion:opportunity_collaborator_remove": lambda a: [{"pk": a.ho_open.pk, "collaborator_pk": a.collaborator.pk}],
    # A's own task, and its reseller's task (seen by A while the reseller entrusts its customers to A)
    **{f"expansion:{name}": lambda a: [{"pk": a.task.pk}, {"pk": a.reseller_task.pk}]
       for name in ("task", "task_progress", "task_close")},
    "expansion:entrusted_reseller": lambda a: [{"reseller_id": a.reseller.domain_id}],
    # incentives (issue 17): statements pending, disputed and final; a withdrawal by its number; FH lists (one open
    # with a material, one final), the material, and an approved quarterly payment
    **{f"incentives:{name}": lambda a: [{"pk": s.pk} for s in (a.statement_pending, a.statement_disputed,
                                                                 a.statement_final)]
       for name in ("statement_detail", "statement_confirm", "statement_dispute")},
    "incentives:withdrawal_detail": lambda a: [{"withdrawal_no": a.withdrawal.withdrawal_no},
                                               {"withdrawal_no": a.withdrawal.withdrawal_no.lower()}],
    **{f"incentives:{name}": lambda a: [{"pk": a.fh_month.pk}, {"pk": a.fh_final_months[0].pk}]
       for name in ("fh_month", "fh_month_lines", "fh_month_upload", "fh_month_submit")},
    "incentives:fh_material_remove": lambda a: [{"pk": a.fh_month.pk, "material_pk": a.fh_material.pk}],
    "incentives:fh_material": lambda a: [{"pk": a.fh_material.pk}],
    **{f"incentives:{name}": lambda a: [{"pk": a.fh_payment.pk}]
       for name in ("fh_payment", "fh_invoice_list", "fh_payment_invoice")},
}
# URL parameters that name no object.
NOT_ID_KWARGS = {"action", "decision"}
# Pages whose URL parameters are not a tenant's object id.
EXEMPT = {
    "accept_invitation": "the token is the secret; tested in test_invitations",
    "set_language": "no object",
    "programs:join": "a programme's code: the operators' catalogue every partner sees (unknown or offline → 404)",
    "programs:new_account": "a development path's code (the operators' catalogue); the page shows only the viewer's "
                            "own partner's links",
    "programs:register": "the token is the secret (a public page; only its hash is stored); tested in "
                         "tests/programs/test_access_registration.py",
    "expansion:join": "the token is an invitation link's public address (its QR code), not an object id; tested in "
                      "tests/expansion/test_invitations_pages.py",
    "expansion:enterprise": "an entry of the enterprise directory (企业百科): shared reference data every partner's "
                            "member opens; that it shows nothing of another partner's report is probed by "
                            "test_the_enterprise_directory_shows_nothing_of_another_partners_reports",
}

# Ids in page query strings: filters, the customers chosen for an allocation, the coupons or quotas chosen
# for a reclaim, and the exports of filtered lists. (kwargs, query) pairs; `b` is the prober, for pages
# whose path needs one of its own objects.
PAGE_QUERIES = {
    "customers:list": lambda a, b: [({}, {"customer_id": a.resale.domain_id}), ({}, {"account_manager": a.member.pk})],
    "customers:export": lambda a, b: [({}, {"customer_id": a.resale.domain_id}), ({}, {"account_manager": a.member.pk})],
    "customers:events": lambda a, b: [({}, {"customer": a.resale.domain_id})],
    "resellers": lambda a, b: [({}, {"indirect_partner_id": a.reseller.domain_id})],
    "billing:overview": lambda a, b: [({}, {"indirect_partner_id": a.reseller.domain_id})],
    "billing:allocate": lambda a, b: [({}, {"customer": [a.resale.domain_id, a.referral.domain_id]})],
    "billing:adjustments": lambda a, b: [({}, {"customer_id": a.resale.domain_id}),
                                         ({}, {"trans_id": a.allocation.trans_id})],
    "billing:adjustment_export": lambda a, b: [({}, {"customer_id": a.resale.domain_id}),
                                               ({}, {"trans_id": a.allocation.trans_id})],
    "billing:ledger": lambda a, b: [({}, {"trade_id": a.allocation.trans_id})],
    "vouchers:quotas": lambda a, b: [({}, {"quota_id": a.quota.quota_id})],
    "vouchers:issue": lambda a, b: [({"quota_id": b.quota.quota_id}, {"customer": [a.resale.domain_id]})],
    "vouchers:coupons": lambda a, b: [({}, {"coupon_id": a.coupon_id}), ({}, {"customer_id": a.resale.domain_id})],
    "vouchers:coupon_export": lambda a, b: [({}, {"coupon_id": a.coupon_id}), ({}, {"customer_id": a.resale.domain_id})],
    "vouchers:reclaim": lambda a, b: [({}, {"coupon": [a.coupon_id]})],
    "vouchers:records": lambda a, b: [({}, {"coupon_id": a.coupon_id}), ({}, {"customer_id": a.resale.domain_id})],
    "vouchers:reseller_quotas": lambda a, b: [({}, {"tab": "records", "indirect_partner_id": a.reseller.domain_id}),
                                              ({}, {"quota_id": a.child_quota_id}),
                                              ({}, {"parent_quota_id": a.quota.quota_id}),
                                              ({}, {"indirect_partner_id": a.reseller.domain_id})],
    "vouchers:reseller_reclaim": lambda a, b: [({}, {"quota": [a.child_quota_id]})],
    "fee_center_coupons": lambda a, b: [({}, {"coupon_id": a.coupon_id})],
    "trade:orders": lambda a, b: [({}, {"order_id": a.order.order_id}), ({}, {"customer_id": a.resale.domain_id})],
    "trade:order_export": lambda a, b: [({}, {"order_id": a.order.order_id}),
                                        ({}, {"customer_id": a.resale.domain_id})],
    "trade:place": lambda a, b: [({}, {"customer": a.resale.domain_id})],
    "trade:discounts": lambda a, b: [({}, {"customer_id": a.resale.domain_id})],
    "trade:discount_set": lambda a, b: [({}, {"customer": a.resale.domain_id, "service_type": "hws.service.type.ec2"})],
    **{name: lambda a, b: [({}, {"customer": a.resale.domain_id}), ({}, {"customer": a.resale.domain_name}),
                           ({}, {"account_manager": a.member.pk})]
       for name in ("subscriptions:expiring", "subscriptions:expiring_export", "subscriptions:expiring_export_csv")},
    **{name: lambda a, b: [({}, {"customer": a.resale.domain_id}), ({}, {"customer": a.resale.domain_name}),
                           ({}, {"indirect_partner_id": a.reseller.domain_id})]
       for name in ("bills:consumption", "bills:consumption_export", "bills:consumption_export_csv")},
    "bills:consumption_records": lambda a, b: [({"domain_id": b.resale.domain_id}, {"trade_id": a.fee.trade_id}),
                                               ({"domain_id": b.resale.domain_id},
                                                {"indirect_partner_id": a.reseller.domain_id})],
    "bills:thresholds": lambda a, b: [({}, {"customer": a.resale.domain_id, "show": "all"}),
                                      ({}, {"customer": a.resale.domain_name, "show": "all"})],
    **{name: lambda a, b: [({}, {"resource_id": a.fee.resource_id}), ({}, {"trade_id": a.fee.trade_id})]
       for name in ("fee_center_bills_fee_records", "fee_center_bills_fee_records_export")},
    **{name: lambda a, b: [({}, {"resource_id": a.fee.resource_id})]
       for name in ("fee_center_bills_resources", "fee_center_bills_resources_export", "fee_center_bills_usage",
                    "fee_center_bills_usage_export")},
    "fee_center_bills_packages": lambda a, b: [({}, {"order_id": a.package.order_id})],
    # 拓新: the leads' owner filter (and the exports of the filtered list), the sales tasks' customer filter (on
    # the partner's own list and on an entrusted reseller's: B's own reseller, A's customers), and the customer
    # preselected on an enterprise's page (its own, and the one A reported)
    **{f"expansion:{name}": lambda a, b: [({}, {"owner": a.member.pk}), ({}, {"owner": a.admin.pk}),
                                          ({}, {"owner_id": a.member.user.username})]  # owner_id: the API's
       for name in ("leads", "lead_export", "lead_export_csv")},
    # 我的报备 by the name of the enterprise A reported (the directory is shared; A's report is not B's)
    "expansion:reports": lambda a, b: [({}, {"enterprise": a.enterprise.name}), ({}, {"enterprise": "百科企业"})],
    **{f"expansion:{name}": lambda a, b: [({}, {"customer": a.resale.domain_id}), ({}, {"customer": a.resale.domain_name}),
                                          ({}, {"customer": a.reseller_customer.domain_id})]
       for name in ("tasks", "task_export")},
    "expansion:entrusted_reseller": lambda a, b: [
        ({"reseller_id": b.reseller.domain_id}, {"tab": "tasks", "customer": customer})
        for customer in (a.reseller_customer.domain_id, a.reseller_customer.domain_name, a.resale.domain_id)],
    "expansion:enterprise": lambda a, b: [({"pk": enterprise.pk}, {"customer": a.report_customer.domain_id})
                                          for enterprise in (b.enterprise, a.enterprise)],
    # incentives: 激励明细's customer filter (account ID or a part of its name; in the period shown and in every
    # period) and its exports; the withdrawals by A's number
    **{f"incentives:{name}": lambda a, b: [({}, {"customer": a.resale.domain_id}), ({}, {"customer": a.resale.domain_name}),
                                           ({}, {"customer": a.resale.domain_id, "cycle": "all"})]
       for name in ("details", "details_export", "details_export_csv")},
    "incentives:rebate": lambda a, b: [({}, {"withdrawal_no": a.withdrawal.withdrawal_no})],
}
# Query parameters that carry no object id.
NOT_ID_QUERY = {"tab": "which tab of the page", "cycle": "a period (激励明细: `all` for every period)"}
# GET-form fields named like ids that name no tenant's object (none today).
QUERY_NOT_TENANT_IDS: dict[str, str] = {}
ID_LIKE_FIELDS = ("customer", "coupon", "quota", "account_manager", "manager", "member", "supervisor", "reseller",
                  "owner")

# Request fields and query parameters of the CBC API that carry an id, filled with tenant A's.
API_IDS = {
    "customer_id": lambda a: a.resale.domain_id,
    "indirect_partner_id": lambda a: a.reseller.domain_id,
    "order_id": lambda a: a.period_resource.order_id,
    "customer_ids": lambda a: [a.resale.domain_id, a.referral.domain_id],
    "resource_ids": lambda a: [a.period_resource.resource_id],
    "customer_infos": lambda a: [{"customer_id": a.resale.domain_id}],  # a list of objects carrying ids
    "quota_id": lambda a: a.quota.quota_id,
    "quota_ids": lambda a: [a.quota.quota_id],
    "parent_quota_id": lambda a: a.quota.quota_id,
    "coupon_id": lambda a: a.coupon_id,
    "coupon_ids": lambda a: [a.coupon_id],
    "indirect_partner_ids": lambda a: [a.reseller.domain_id],
    "source_id": lambda a: a.partner.domain_id,
    "trans_id": lambda a: a.allocation.trans_id,
    "webhook_id": lambda a: str(a.webhook.uid),  # a path parameter: /v1/webhooks/{webhook_id}
    "resource_id": lambda a: a.period_resource.resource_id,  # a path parameter: …/autorenew/{resource_id}
    # consumption and bills
    "trade_id": lambda a: a.fee.trade_id,
    "account_manager_id": lambda a: a.member.user.username,
    "sub_customer_id": lambda a: a.resale.domain_id,
    "payer_account_id": lambda a: a.resale.domain_id,
    "res_instance_id": lambda a: a.fee.resource_id,
    "free_resource_id": lambda a: a.package.order_instance_id,
    "free_resource_ids": lambda a: [a.package.order_instance_id],
    # 拓新: /v1/leads (the partner a lead is for, its owner by user name, a lead in the path) and /v1/opportunities
    "partner_id": lambda a: a.partner.domain_id,
    "owner_id": lambda a: a.member.user.username,
    "lead_id": lambda a: a.lead.pk,  # a path parameter: /v1/leads/{lead_id}/follow-ups
    "opportunity_id": lambda a: a.ho.pk,  # a path parameter: /v1/opportunities/{opportunity_id}/accept|reject
}
# Where one operation's field names another kind of object than API_IDS gives: its own value, tenant A's.
API_IDS_OF = {
    # the refund details of an unsubscription (退订) order: A's refund order, not the purchase order of API_IDS
    ("GET", "/v2/orders/customer-orders/refund-orders"): {"order_id": lambda a: a.refund_order.order_id},
}
# Fields named like ids that name no tenant's object.
API_NOT_TENANT_IDS = {
    "xaccount_id": "the caller's own platform id for a customer it registers",
    "product_ids": "catalogue product ids a coupon is limited to",
    "enterprise_project_id": "no enterprise projects: '0' is the default project of every customer",
    "product_id": "a catalogue product (a resource package's product)",
}
# Values for required request fields that are not ids, so a probe passes validation and reaches the lookup.
REQUIRED_VALUES = {
    "receiver_type": lambda n: 1,
    "mobile_phone": lambda n: f"139{n:08d}",
    "search_type": lambda n: "name",
    "search_value": lambda n: f"probe-name-{n}",
    "xaccount_id": lambda n: f"probe-{n}",
    "xaccount_type": lambda n: "probe_platform",
    "amount": lambda n: "1.00",
    "face_value": lambda n: "1.00",
    "quota_amount": lambda n: "1.00",
    # the customer's payment (POST /v3/orders/customer-orders/pay): without coupons or discounts
    "use_coupon": lambda n: "NO",
    "use_discount": lambda n: "NO",
    # the catalogue's resource-specs-query (public reference data: the same answer for every tenant)
    "cloud_service_type": lambda n: "hws.service.type.ec2",
    "resource_type": lambda n: "hws.resource.type.vm",
    "region_code": lambda n: "cn-north-4",
    "charge_mode": lambda n: "1",
    # rating: an empty product list still reaches the customer lookup of a partner key naming a customer
    "product_infos": lambda n: [],
    "period_type": lambda n: 2,
    "period_num": lambda n: 1,
    # subscriptions: unsubscribe the resource (and its renewals), switch it at expiry, the renew settings
    "unsubscribe_type": lambda n: 1,
    "operation": lambda n: "SET_UP",
    "config_name": lambda n: "DEDUCTION_DATE",
    "config_value": lambda n: "3",
    # consumption and bills: the current month (the tenants' fee records are in it), its days
    "bill_cycle": lambda n: _cycle(),
    "cycle": lambda n: _cycle(),
    "shared_month": lambda n: _cycle(),
    "deduct_time_begin": lambda n: _today(),
    "deduct_time_end": lambda n: _today(),
    "time_condition": lambda n: {"time_measure_id": 2, "begin_time": _cycle(), "end_time": _cycle()},
    "service_type_code": lambda n: "hws.service.type.cdn",
    "resource_type_code": lambda n: "hws.resource.type.cdn",
    "usage_type": lambda n: "95Peak",
    # the platform's usage ingestion (partner and customer keys are refused before the body is read)
    "records": lambda n: [],
    # 拓新: a lead (POST /v1/leads), its follow-up, a PO (POST /v1/opportunities), an HO's rejection
    "company_name": lambda n: f"probe-company-{n}",
    "method": lambda n: "phone",
    "note": lambda n: f"probe-note-{n}",
    "name": lambda n: f"probe-opportunity-{n}",
    "customer_name": lambda n: f"probe-customer-{n}",
    "reason": lambda n: f"probe-reason-{n}",
    # incentives: the month of GET /v2/products/incentive-discount-policies (YYYY-MM)
    "time": lambda n: _cycle(),
}


def _cycle():
    from bills.periods import current_cycle

    return current_cycle()


def _today():
    from bills.periods import SHANGHAI

    return timezone.now().astimezone(SHANGHAI).date().isoformat()
# Operations that name no object at all and whose answer is new every time, so there is nothing of A's to find.
API_NOT_PROBED = {
    ("POST", "/v1/webhooks"): "registers a webhook endpoint of the caller's own (GET /v1/webhooks lists them)",
}


# -------------------------------------------------------------------------------------------------
# Two tenants with one of everything
# -------------------------------------------------------------------------------------------------

def _tenant(tag):
    from billing import services as billing_services
    from customers import services as customer_services
    from partnercenter import services
    from subscriptions import services as subscription_services
    from trade.discounts import set_discount
    from trade.models import PaymentRequest
    from vouchers import services as voucher_services
    from vouchers.models import CouponQuota

    from ..billing_helpers import fund
    from ..conftest import actor_of
    from ..trade.pricing_helpers import pricing_catalogue

    t = build_tenant(tag, partner_type="distributor")
    t.reseller = PartnerFactory(partner_type="reseller", distributor=t.partner, account_name=f"reseller-{tag}")
    t.reseller_customer = AssociationFactory(partner=t.reseller, association_type="2").customer
    t.device = EmailCodeDevice.objects.create(user=t.admin.user, name="mail", email=f"{tag}@example.com", confirmed=True)
    t.invitation, _token = services.invite_member(actor_of(t.admin), email=f"new-{tag}@example.com", display_name="New")
    t.customer_user = CustomerUserFactory(customer=t.resale, user__username=f"{tag}.customer")
    other = AssociationFactory(partner=t.partner, association_type="2").customer
    t.events = [
        customer_services.request_disassociation(actor_of(t.admin), customer_id=t.resale.domain_id, reason="probe"),
        customer_services.customer_request_disassociation(actor_of(CustomerUserFactory(customer=other).user), reason="x"),
    ]
    t.ops = customer_services.request_ops_authorization(actor_of(t.admin), customer_id=other.domain_id, reason="probe")
    now = timezone.now()
    t.quota = CouponQuota.objects.create(partner=t.partner, quota_type=0, quota_value=100, balance=100,
                                         effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=30))
    t.coupon_id = voucher_services.issue_coupons(actor_of(t.admin), quota_id=t.quota.quota_id, face_value="5.00",
                                                 customer_ids=[t.resale.domain_id], remark="probe")[0][0]["coupon_id"]
    t.child_quota_id = voucher_services.issue_quota_to_resellers(
        actor_of(t.admin), quota_id=t.quota.quota_id, quota_amount="10.00",
        indirect_partner_ids=[t.reseller.domain_id])[0][0]["quota_id"]
    t.period_resource = ResourceFactory(customer=t.resale, charging_mode="period", status=2, order_id=f"CS{tag}0001",
                                        expire_time=now + timedelta(days=20), resource_name=f"period-resource-{tag}")
    # the order of that resource, placed by the partner for its customer and waiting for payment (a 607 discount)
    t.order = make_order(t.resale, partner=t.partner, order_id=t.period_resource.order_id, source_type=2,
                         lines=(("server", "36.00", "3.60"),), discount_id=f"607-{t.resale.domain_id}")
    # the customer asked the partner to pay it (余额支付; set up: a distributor may not be asked, the pages still answer)
    pricing_catalogue()
    t.discount = set_discount(actor_of(t.admin), customer_id=t.resale.domain_id,
                              service_type_code="hws.service.type.ec2", rate="0.9")
    t.payment_request = PaymentRequest.objects.create(order=t.order, partner=t.partner, customer=t.resale,
                                                      message="probe", requested_by=t.customer_user.user)
    # an unsubscribed yearly/monthly resource: its 退订 order has a refund detail page on both sides
    unsubscribed = ResourceFactory(customer=t.resale, charging_mode="period", status=2, order_id=f"CS{tag}0002")
    t.refund_order = subscription_services.unsubscribe(
        actor_of(t.customer_user.user), resource_ids=[unsubscribed.resource_id], unsubscribe_type=1,
        reason_type=5, reason="probe").orders[0]
    ResourceFactory(customer=t.resale, charging_mode="on_demand", status=1)
    ResourceFactory(customer=t.reseller_customer, charging_mode="on_demand", status=1)
    t.customer_key, t.customer_secret = make_access_key(t.customer_user.user)
    # the period resource renewed automatically (the fee center's forms could cancel or replace that)
    subscription_services.set_auto_renew(actor_of(t.customer_user.user), resource_id=t.period_resource.resource_id)
    fund(t.partner, "100.00")
    t.allocation = billing_services.allocate_to_customer(actor_of(t.admin), customer_id=t.resale.domain_id, amount="10.00")
    billing_services.allocate_to_reseller(actor_of(t.admin), indirect_partner_id=t.reseller.domain_id, amount="10.00")
    t.recharge = billing_services.start_online_recharge(actor_of(t.admin), amount="7.00")  # pending, sandbox
    # its customer consumed this month (a fee record) and holds a resource package that paid part of it
    from ..bills import customer_helpers, partner_helpers
    from bills.periods import current_cycle
    from catalog.demo import seed_catalog

    seed_catalog()  # the demo catalogue's resource packages
    t.fee = partner_helpers.fee(t.resale, t.resale.associations.get(ended_on__isnull=True), cycle=current_cycle(),
                                when=timezone.now(), usage="1")
    t.package = customer_helpers.package(t.resale)
    customer_helpers.use(t.package, t.fee, "1", before="100")
    _programs(t, tag)
    _expansion(t, tag)
    _incentives(t, tag)
    t.notification, t.customer_notification = _notifications(t)
    t.webhook, t.delivery = _webhook(t)
    t.markers = [
        t.partner.domain_id, t.partner.account_name, t.resale.domain_id, t.referral.domain_id, t.resale.domain_name,
        t.key.ak, t.customer_key.ak, t.reseller.domain_id, t.reseller.account_name, t.reseller_customer.domain_id,
        t.reseller_customer.domain_name, t.role.name, t.admin.user.username, t.member.user.username,
        t.invitation.email, t.period_resource.resource_id, t.period_resource.resource_name, t.recharge.trans_id, t.recharge.reference,
        t.allocation.trans_id, t.quota.quota_id, t.coupon_id, t.child_quota_id, t.webhook.url, str(t.webhook.uid),
        t.refund_order.order_id, unsubscribed.resource_id, *t.order.lines.values_list("line_id", flat=True),
        t.fee.trade_id, t.fee.record_id, t.fee.resource_id, t.package.order_instance_id, t.package.order_id,
        *t.program_markers, *t.expansion_markers, *t.incentive_markers,
    ]
    return t


def _programs(t, tag):
    """The tenant's standing (issue 15): a membership of its own programme with an agreement it signed, business
    certification with a licence, a path of its own (A and B on different paths: a review is per path and year)
    with an open review and a material, and a customer account asking it to make it a cloud reseller."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs import agreements, certification, reseller
    from programs import reviews as review_services
    from programs.catalogue import DTCSI, SOFTWARE, seed_definitions
    from programs.choices import MembershipStatus, ProgramKind
    from partnercenter import secretbox
    from programs.models import (
        Agreement, Badge, ExamCoupon, MemberProfile, Membership, Path, PathEnrolment, Program, ProjectSpecialist,
        Review, Stage, TestCouponPackage,
    )
    from programs.uploads import store_material

    from ..conftest import actor_of
    from ..factories import CustomerFactory

    seed_definitions()
    now = timezone.now()
    admin = actor_of(t.admin)
    # agreements belong to programmes: each tenant its own, so the other's agreement is not one it must sign
    t.program = Program.objects.create(code=f"probe-{tag}", kind=ProgramKind.DISTRIBUTOR, name=f"计划 {tag}")
    t.membership = Membership.objects.create(partner=t.partner, program=t.program, status=MembershipStatus.JOINED)
    t.agreement = Agreement.objects.create(
        program=t.program, title=f"agreement-{tag}", version="1", body=f"agreement text {tag}",
        contracting_entity="华为云计算技术有限公司", effective_at=now + timedelta(days=30), published_at=now)
    agreements.sign(admin, agreement_id=t.agreement.pk, accepted=True)
    certification.save_details(
        admin, company_name=f"certified-company-{tag}", credit_code="91350100M000100Y43", registered_address="x",
        legal_representative="x", bank_name="x", bank_account_holder="x", invoice_title="x",
        tax_id="91350100M000100Y43", bank_account="6222021234567894321")
    t.licence = store_material(admin, certification=t.partner.business_certification, upload=SimpleUploadedFile(
        f"licence-{tag}.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf"))
    path = Path.objects.get(code=DTCSI if tag == "aaa" else SOFTWARE)
    PathEnrolment.objects.create(partner=t.partner, path=path, stage=Stage.objects.get(path=path, code="role-certified"))
    t.review = Review.objects.create(path=path, year=now.year, opens_at=now - timedelta(days=1),
                                     closes_at=now + timedelta(days=30))
    [t.material] = review_services.upload_materials(admin, review=t.review, files=[
        SimpleUploadedFile(f"review-material-{tag}.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")])
    t.test_package = TestCouponPackage.objects.filter(path=path, min_stage__rank__lte=2).first()
    MemberProfile.objects.create(member=t.member, work_location=f"city-{tag}", uniportal_account=f"uniportal-{tag}")
    t.specialist = ProjectSpecialist.objects.create(member=t.member, path=path, applied_by=t.admin.user)
    t.exam_coupon = ExamCoupon.objects.create(member=t.member, level="HCIA", track=f"exam-track-{tag}",
                                              uniportal_account=f"uniportal-{tag}", status="issued",
                                              code_encrypted=secretbox.encrypt(f"EXAM-CODE-{tag}"))
    t.badge = Badge.objects.create(partner=t.partner, path=path, capability=f"capability-{tag}",
                                   earned_on=now.date() - timedelta(days=10))
    applicant = CustomerUserFactory(customer=CustomerFactory(domain_name=f"applicant-{tag}"),
                                    user__username=f"{tag}.applicant")
    t.reseller_request = reseller.request_reseller(
        actor_of(applicant.user), distributor=t.partner.account_name, company_name=f"applicant-company-{tag}",
        contact_email=f"applicant-{tag}@example.com", acknowledged=True)
    t.program_markers = [
        t.agreement.title, t.agreement.body, f"certified-company-{tag}", f"licence-{tag}.pdf",
        f"review-material-{tag}.pdf", t.reseller_request.company_name, t.reseller_request.contact_email,
        t.reseller_request.customer.domain_id, t.reseller_request.customer.domain_name, f"uniportal-{tag}",
        f"EXAM-CODE-{tag}", f"exam-track-{tag}", f"capability-{tag}", f"city-{tag}",
    ]


def _expansion(t, tag):
    """The tenant's 拓新 (issue 16), built through the services: an invitation link; an enterprise of the directory
    it reported (报备) with its verified customer of that name; a lead it followed up; an HO shared with it and
    pending, another it accepted (with a collaborator and an update), a PO it registered for its customer; a sales
    task of its customer with progress; and its cloud reseller's customers entrusted to it, with a task of the
    reseller's."""
    from customers.choices import VerifiedStatus
    from expansion import (
        directory_reports, invitations, leads, opportunities, opportunities_updates, tasks_entrustment, tasks_sales,
    )
    from expansion.demo_directory import credit_code
    from expansion.models import Enterprise
    from expansion.selectors_tasks import today

    from ..conftest import actor_of
    from ..factories import CustomerFactory, MemberFactory, RoleFactory, UserFactory

    admin = actor_of(t.admin)
    operator = actor_of(UserFactory(username=f"ops-{tag}", is_staff=True))  # Huawei Cloud's side
    serial = 1 if tag == "aaa" else 2
    t.invitation_link = invitations.create_link(admin, name=f"invitation-link-{tag}", association_type="1",
                                                valid_until=today() + timedelta(days=30))
    # 企业百科 belongs to no partner (operators import it): the entry is made as the import would
    t.enterprise = Enterprise.objects.create(name=f"百科企业{tag}有限公司", credit_code=credit_code("330106", serial))
    t.report_customer = AssociationFactory(partner=t.partner, association_type="2", customer=CustomerFactory(
        domain_name=f"reporting-{tag}", real_name=t.enterprise.name, verified_status=VerifiedStatus.VERIFIED,
        mobile_phone=f"1362222{serial:04d}")).customer
    t.report = directory_reports.report_enterprise(
        admin, enterprise_id=t.enterprise.pk, customer_id=t.report_customer.domain_id,
        contact_name=f"report-contact-{tag}", contact_phone=f"1363333{serial:04d}", note=f"report-note-{tag}")
    t.lead = leads.create_lead(admin, company_name=f"lead-company-{tag}", contact_name=f"lead-contact-{tag}",
                               phone=f"1364444{serial:04d}", email=f"lead-{tag}@example.com",
                               requirement=f"lead-requirement-{tag}", owner=t.member)
    leads.add_follow_up(admin, lead=t.lead, method="visit", note=f"lead-follow-up-{tag}")
    t.ho = opportunities.share_opportunity(operator, partner=t.partner, name=f"ho-pending-{tag}",
                                           customer_name=f"ho-customer-{tag}", contact_name=f"ho-contact-{tag}",
                                           contact_phone=f"1365555{serial:04d}", notes=f"ho-notes-{tag}")
    t.ho_open = opportunities.share_opportunity(operator, partner=t.partner, name=f"ho-accepted-{tag}",
                                                customer_name=f"ho-customer-{tag}")
    opportunities.accept(admin, opportunity=t.ho_open)
    t.collaborator = opportunities_updates.add_collaborator(admin, opportunity=t.ho_open, name=f"collaborator-{tag}",
                                                            contact=f"collaborator-{tag}@example.com")
    opportunities_updates.update_opportunity(admin, opportunity=t.ho_open, amount="1234.56",
                                             note=f"opportunity-update-{tag}")
    t.po = opportunities.register_opportunity(admin, name=f"po-{tag}", customer_name=f"po-customer-{tag}",
                                              customer=t.resale, notes=f"po-notes-{tag}")
    t.task = tasks_sales.assign_task(operator, partner=t.partner, customer=t.resale, kind="renewal",
                                     title=f"sales-task-{tag}", description=f"task-description-{tag}", due_date=today())
    tasks_sales.record_progress(admin, task=t.task, note=f"task-progress-{tag}")
    reseller_admin = MemberFactory(partner=t.reseller, user__username=f"{tag}.reseller",
                                   roles=[RoleFactory(partner=t.reseller, name="管理员", is_administrator=True)])
    tasks_entrustment.entrust(actor_of(reseller_admin), consent=True)
    t.reseller_task = tasks_sales.assign_task(operator, partner=t.reseller, customer=t.reseller_customer,
                                              kind="follow_up", title=f"reseller-task-{tag}", due_date=today())
    tasks_sales.record_progress(admin, task=t.reseller_task, note=f"entrusted-progress-{tag}")
    t.expansion_markers = [
        f"invitation-link-{tag}", t.invitation_link.token, f"reporting-{tag}", t.report_customer.domain_id,
        t.report_customer.mobile_phone, f"report-contact-{tag}", t.report.contact_phone, f"report-note-{tag}",
        t.lead.company_name, t.lead.contact_name, t.lead.phone, t.lead.email, f"lead-requirement-{tag}",
        f"lead-follow-up-{tag}", f"ho-pending-{tag}", f"ho-customer-{tag}", f"ho-contact-{tag}", t.ho.contact_phone,
        f"ho-notes-{tag}", f"ho-accepted-{tag}", f"collaborator-{tag}", f"opportunity-update-{tag}", f"po-{tag}",
        f"po-customer-{tag}", f"po-notes-{tag}", f"sales-task-{tag}", f"task-description-{tag}",
        f"task-progress-{tag}", f"{tag}.reseller", f"reseller-task-{tag}", f"entrusted-progress-{tag}",
    ]


def _incentives(t, tag):
    """The tenant's incentives (issue 17): a policy of its own programme (B has not joined A's, so A's policy is not
    B's to read), last month's statements — a pending one with its lines, a disputed one with its lines, and a
    tier confirmed and made final by the operators (its amount credited to the rebate account) —, a pending
    withdrawal of part of the rebate (the code from a TOTP device, as always asked), and the FH staff incentive:
    the qualification, a project specialist, last month's list open for checking with an uploaded material, and a
    past quarter's three final lists with its payment applied for and approved."""
    from datetime import date
    from decimal import Decimal as D

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bills.periods import current_cycle, previous_cycle
    from catalog.choices import ChargeMode
    from catalog.models import ServiceType
    from incentives import fh_months, fh_payments, statements, withdrawals
    from incentives.choices import FhMonthStatus, FhQualificationStatus, IncentiveKind, PolicyCode
    from incentives.models import FhLine, FhMonth, FhQualification, IncentiveDetail, IncentivePolicy, IncentiveStatement
    from programs import certification
    from programs.catalogue import DTCSI
    from programs.choices import SpecialistStatus
    from programs.models import Path, ProjectSpecialist

    from ..conftest import actor_of
    from ..factories import MemberFactory, UserFactory

    admin = actor_of(t.admin)
    operator = actor_of(UserFactory(username=f"inc-ops-{tag}", is_staff=True, is_superuser=True))
    now = timezone.now()
    # 商业信息认证 verified (withdrawals and FH payments need it), through the programmes' services
    certification.submit(admin)
    certification.verify(operator, certification_id=t.partner.business_certification.pk)
    # 激励对账: last month's statements of a policy of the tenant's own programme, written as the monthly run writes them
    cycle = previous_cycle(current_cycle())
    ec2 = ServiceType.objects.get(code="hws.service.type.ec2")
    policy = IncentivePolicy.objects.create(
        code=f"probe-{tag}", name=f"policy-{tag}", program=t.program, association_type="2",
        valid_from=date(now.year - 1, 1, 1), period_rate=D("0.0400"),
        on_demand_rate=D("0.0200"), first_order_rate=D("0.0100"), description=f"policy-description-{tag}")
    association = t.resale.associations.get(ended_on__isnull=True)

    def statement(kind, amount, performance, lines=()):
        made = IncentiveStatement.objects.create(
            partner=t.partner, bill_cycle=cycle, policy=policy, kind=kind, name=f"{policy.name} · {kind}",
            association_type="2", performance=D(performance), amount=D(amount), generated_at=now,
            dispute_deadline=statements.objection_deadline(now))
        for mode, rate, rebate in lines:
            IncentiveDetail.objects.create(
                statement=made, bill_cycle=cycle, partner=t.partner, policy=policy, kind=kind, association=association,
                association_type="2", customer=t.resale, service_type=ec2, charging_mode=mode,
                incentive_policy=PolicyCode.NON_SPECIFIC, fee_records=1, consumption=D(performance),
                performance=D(performance), rate=D(rate), rebate=D(rebate))
        return made

    t.statement_pending = statement(IncentiveKind.BASE, "40.00", "1000.00", [(ChargeMode.PERIOD, "0.0400", "40.00")])
    t.statement_disputed = statement(IncentiveKind.FIRST_ORDER, "10.00", "1000.00",
                                     [(ChargeMode.PERIOD, "0.0100", "10.00")])
    statements.dispute(admin, statement=t.statement_disputed, reason=f"dispute-reason-{tag}")
    t.statement_final = statement(IncentiveKind.TIER, "50.00", "1000.00")
    statements.confirm(admin, statement=t.statement_final)
    t.statement_final = statements.finalise(operator, statement=t.statement_final)   # 50.00 credited
    # 激励返点提现: 20.00 of the 50.00, to a bank of its own, with the code of a TOTP device made for it
    device = TOTPDevice.objects.create(user=t.admin.user, name="probe", confirmed=True)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    t.withdrawal = withdrawals.request_withdrawal(
        admin, amount="20.00", bank_name=f"bank-{tag}", bank_branch=f"branch-{tag}", account_holder=f"holder-{tag}",
        bank_account="6222021234567890123", verification_code=code)
    device.delete()
    # FH: qualified, one specialist; last month's list open with a material; a past quarter final, paid for
    t.fh_qualification = FhQualification.objects.create(partner=t.partner, status=FhQualificationStatus.APPROVED,
                                                        agreement_version="probe", signer_name=f"fh-signer-{tag}",
                                                        decided_at=now)
    member = MemberFactory(partner=t.partner, user__username=f"{tag}.fh", display_name=f"fh-specialist-{tag}")
    specialist = ProjectSpecialist.objects.create(member=member, path=Path.objects.get(code=DTCSI),
                                                  status=SpecialistStatus.APPROVED, decided_at=now - timedelta(days=400))

    def fh_month(month, status, deadline):
        made = FhMonth.objects.create(partner=t.partner, month=month, status=status, generated_at=now,
                                      deadline=deadline, amount=D("8000.00"))
        FhLine.objects.create(fh_month=made, specialist=specialist, member_name=member.display_name,
                              amount=D("8000.00"))
        return made

    last_month = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    t.fh_month = fh_month(last_month, FhMonthStatus.GENERATED, now + timedelta(days=10))
    [t.fh_material] = fh_months.upload_materials(admin, fh_month=t.fh_month, files=[SimpleUploadedFile(
        f"fh-material-{tag}.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")])
    year = now.year - 2
    t.fh_final_months = [fh_month(month, FhMonthStatus.FINAL, now - timedelta(days=400))
                         for month in fh_payments.quarter_months(year, 4)]
    t.fh_payment = fh_payments.approve(operator, payment=fh_payments.apply(admin, year=year, quarter=4),
                                       reason=f"fh-approval-{tag}")
    t.incentive_markers = [
        f"policy-{tag}", f"policy-description-{tag}", f"dispute-reason-{tag}", t.statement_pending.statement_no,
        t.statement_disputed.statement_no, t.statement_final.statement_no, t.statement_final.trans_id,
        t.withdrawal.withdrawal_no, t.withdrawal.trans_id, f"bank-{tag}", f"branch-{tag}", f"holder-{tag}",
        f"fh-signer-{tag}", f"{tag}.fh", f"fh-specialist-{tag}", f"fh-material-{tag}.pdf", t.fh_payment.payment_no,
        f"fh-approval-{tag}",
    ]


def _notifications(t):
    """The tenant's events told to its administrator and its customer user (消息通知), as dispatched."""
    from events.dispatch import dispatch_all
    from events.models import Notification

    dispatch_all(send=False)
    # (the administrator is not told of its own requests: its notification is of the other customer's)
    admins = Notification.objects.filter(user=t.admin.user, event__partner=t.partner).order_by("pk")
    customers = Notification.objects.filter(user=t.customer_user.user, event__customer_pk=t.resale.pk).order_by("pk")
    return admins.first(), customers.first()


def _webhook(t):
    """The tenant's webhook endpoint (事件推送) with one delivery in its log."""
    from events import webhook_services
    from events.models import Event, WebhookDelivery

    from ..conftest import actor_of

    endpoint, _secret = webhook_services.create_endpoint(
        actor_of(t.admin), url=f"http://127.0.0.1:9/hook-{t.partner.account_name}",
        types=[webhook_services.webhook_event_types()[0].code])
    event = Event.objects.create(type="ping", partner=t.partner, data={})
    return endpoint, WebhookDelivery.objects.create(endpoint=endpoint, event=event)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def a(db):
    return _tenant("aaa")


@pytest.fixture
def b(db):
    return _tenant("bbb")


def _snapshot(a):
    """Every row of A a probe could change."""
    from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge
    from trade.models import Order, PaymentRequest
    from customers.models import Association, AssociationEvent, Customer, OpsAuthorization, Resource
    from events.models import Notification, WebhookAttempt, WebhookEndpoint
    from subscriptions.models import AutoRenewal, RenewConfig, Unsubscription
    from vouchers.models import Coupon, CouponQuota

    partners = [a.partner.pk, a.reseller.pk]
    customers = list(Association.objects.filter(partner__in=partners).values_list("customer_id", flat=True))
    return {
        "settings": sorted(Partner.objects.filter(pk__in=partners).values_list(
            "pk", "name", "status", "verification_enabled", "distributor", "reseller_account_manager")),
        "members": sorted(Member.objects.filter(partner=a.partner).values_list(
            "pk", "display_name", "title", "supervisor", "user__is_active", "user__username")),
        "member_roles": sorted(Member.roles.through.objects.filter(member__partner=a.partner).values_list(
            "member_id", "role_id")),
        "roles": sorted(Role.objects.filter(partner=a.partner).values_list("pk", "name", "permissions",
                                                                           "is_administrator")),
        "keys": sorted(AccessKey.objects.filter(user__member__partner=a.partner).values_list("pk", "status")),
        "customer_keys": sorted(AccessKey.objects.filter(partner__isnull=True, user__customer_user__customer__in=customers)
                                .values_list("pk", "status")),
        "invitations": sorted(Invitation.objects.filter(partner=a.partner).values_list("pk", "status")),
        "devices": sorted(EmailCodeDevice.objects.filter(user__member__partner=a.partner).values_list("pk", "confirmed")),
        "customers": sorted(Customer.objects.filter(pk__in=customers).values_list(
            "pk", "domain_name", "real_name", "mobile_phone", "email")),
        "associations": sorted(Association.objects.filter(partner__in=partners).values_list(
            "pk", "ended_on", "association_type", "account_manager", "label")),
        "events": sorted(AssociationEvent.objects.filter(partner__in=partners).values_list("pk", "status")),
        "ops": sorted(OpsAuthorization.objects.filter(partner__in=partners).values_list("pk", "status")),
        "partner_accounts": sorted(PartnerAccount.objects.filter(partner__in=partners).values_list(
            "partner_id", "cash_balance", "credit_limit", "allocated_amount")),
        "customer_accounts": sorted(CustomerAccount.objects.filter(customer__in=customers).values_list(
            "customer_id", "balance")),
        "ledger": LedgerEntry.objects.filter(partner__in=partners).count()
        + LedgerEntry.objects.filter(customer__in=customers).count(),
        "adjustments": Adjustment.objects.filter(partner__in=partners).count(),
        "recharges": sorted(Recharge.objects.filter(partner__in=partners).values_list("pk", "status")),
        "quotas": sorted(CouponQuota.objects.filter(partner__in=partners).values_list(
            "quota_id", "status", "quota_value", "balance")),
        "coupons": sorted(Coupon.objects.filter(partner__in=partners).values_list("coupon_id", "status", "balance")),
        "operation_log": OperationLog.objects.filter(partner__in=partners).count(),
        "notifications": sorted(Notification.objects.filter(event__partner__in=partners).values_list("pk", "read_at")),
        "webhooks": sorted(WebhookEndpoint.objects.filter(partner__in=partners).values_list(
            "pk", "url", "description", "is_enabled", "secret_encrypted", "previous_secret_encrypted")),
        "webhook_attempts": WebhookAttempt.objects.filter(delivery__endpoint__partner__in=partners).count(),
        "orders": sorted(Order.objects.filter(partner__in=partners).values_list(
            "order_id", "status", "amount_after_discount", "coupon_amount", "cash_amount", "payment_time",
            "cancelled_at")),
        "payment_requests": sorted(PaymentRequest.objects.filter(partner__in=partners).values_list("pk", "status")),
        "resources": sorted(Resource.objects.filter(customer__in=customers).values_list(
            "pk", "charging_mode", "status", "expire_policy", "expire_time", "product_id", "updated_at")),
        "auto_renewals": sorted(AutoRenewal.objects.filter(customer__in=customers).values_list(
            "pk", "resource", "times", "period_type", "updated_at")),
        "renew_configs": sorted(RenewConfig.objects.filter(customer__in=customers).values_list(
            "pk", "deduction_days", "expire_day", "updated_at")),
        "unsubscriptions": Unsubscription.objects.filter(customer__in=customers).count(),
        **_program_rows(partners),
        **_expansion_rows(partners),
        **_incentive_rows(partners),
    }


def _program_rows(partners):
    from programs import models as p

    return {
        "memberships": sorted(p.Membership.objects.filter(partner__in=partners).values_list("pk", "status", "level")),
        "signatures": sorted(p.AgreementSignature.objects.filter(partner__in=partners).values_list("pk", "applied_at")),
        "certifications": sorted(p.BusinessCertification.objects.filter(partner__in=partners).values_list(
            "pk", "status", "company_name", "bank_account_last4")),
        "submissions": sorted(p.ReviewSubmission.objects.filter(partner__in=partners).values_list("pk", "status")),
        "materials": sorted(p.Material.objects.filter(partner__in=partners).values_list("pk", "file")),
        "enrolments": sorted(p.PathEnrolment.objects.filter(partner__in=partners).values_list("pk", "stage")),
        "specialists": sorted(p.ProjectSpecialist.objects.filter(member__partner__in=partners).values_list(
            "pk", "status")),
        "profiles": sorted(p.MemberProfile.objects.filter(member__partner__in=partners).values_list(
            "pk", "work_location", "uniportal_account")),
        "exam_coupons": sorted(p.ExamCoupon.objects.filter(member__partner__in=partners).values_list("pk", "status")),
        "test_coupons": sorted(p.TestCouponApplication.objects.filter(partner__in=partners).values_list(
            "pk", "status")),
        "badges": sorted(p.Badge.objects.filter(partner__in=partners).values_list("pk", "capability")),
        "reseller_requests": sorted(p.ResellerRequest.objects.filter(distributor__in=partners).values_list(
            "pk", "status")),
    }


def _expansion_rows(partners):
    from django.db.models import Q

    from expansion import models as x

    return {
        "invitation_links": sorted(x.InvitationLink.objects.filter(partner__in=partners).values_list(
            "pk", "name", "association_type", "valid_until", "revoked_at", "registrations")),
        "link_registrations": x.LinkRegistration.objects.filter(link__partner__in=partners).count(),
        "reports": sorted(x.Report.objects.filter(partner__in=partners).values_list(
            "pk", "enterprise", "customer", "status", "protected_until", "ended_at", "contact_name", "note")),
        "leads": sorted(x.Lead.objects.filter(partner__in=partners).values_list(
            "pk", "status", "owner", "customer", "opportunity", "company_name", "contact_name", "phone", "email",
            "updated_at")),
        "follow_ups": x.FollowUp.objects.filter(lead__partner__in=partners).count(),
        "calls": x.Call.objects.filter(lead__partner__in=partners).count(),
        "opportunities": sorted(x.Opportunity.objects.filter(partner__in=partners).values_list(
            "pk", "status", "stage", "amount", "expected_close", "notes", "reason", "decided_at", "updated_at")),
        "collaborators": sorted(x.Collaborator.objects.filter(opportunity__partner__in=partners).values_list(
            "pk", "opportunity", "name")),
        "opportunity_updates": x.OpportunityUpdate.objects.filter(opportunity__partner__in=partners).count(),
        "sales_tasks": sorted(x.SalesTask.objects.filter(partner__in=partners).values_list(
            "pk", "status", "result", "closed_at")),
        "task_progress": x.TaskProgress.objects.filter(task__partner__in=partners).count(),
        "entrustments": sorted(x.Entrustment.objects.filter(Q(reseller__in=partners) | Q(distributor__in=partners))
                               .values_list("pk", "status", "cancelled_at")),
    }


def _incentive_rows(partners):
    from billing.models import LedgerEntry, PartnerAccount
    from incentives import models as i

    return {
        "statements": sorted(i.IncentiveStatement.objects.filter(partner__in=partners).values_list(
            "pk", "status", "amount", "confirmed_at", "dispute_reason", "disputed_at", "answer", "finalised_at",
            "trans_id")),
        "incentive_details": sorted(i.IncentiveDetail.objects.filter(partner__in=partners).values_list(
            "pk", "statement", "performance", "rebate")),
        "rebate_balances": sorted(PartnerAccount.objects.filter(partner__in=partners).values_list(
            "partner_id", "rebate_balance")),
        "rebate_ledger": sorted(LedgerEntry.objects.filter(partner__in=partners, balance_type="rebate").values_list(
            "pk", "trade_type", "amount", "balance_after")),
        "withdrawals": sorted(i.RebateWithdrawal.objects.filter(partner__in=partners).values_list(
            "pk", "status", "amount", "bank_name", "bank_account_last4", "decided_at", "return_trans_id")),
        "fh_qualifications": sorted(i.FhQualification.objects.filter(partner__in=partners).values_list(
            "pk", "status", "signer_name")),
        "fh_months": sorted(i.FhMonth.objects.filter(partner__in=partners).values_list(
            "pk", "status", "amount", "deadline", "submitted_at")),
        "fh_lines": sorted(i.FhLine.objects.filter(fh_month__partner__in=partners).values_list("pk", "included")),
        "fh_materials": sorted(i.FhMaterial.objects.filter(fh_month__partner__in=partners).values_list("pk", "file")),
        "fh_payments": sorted(i.FhPayment.objects.filter(partner__in=partners).values_list(
            "pk", "status", "amount", "invoice_number")),
    }


# -------------------------------------------------------------------------------------------------
# Helpers: made-up ids of the same shape, what a response shows
# -------------------------------------------------------------------------------------------------

_SWAP = str.maketrans("0123456789abcdef", "fedcba9876543210")


def made_up(value):
    """An id of the same shape that names nothing (hex digits swapped; integers out of range)."""
    if isinstance(value, list):
        return [made_up(v) for v in value]
    if isinstance(value, dict):
        return {k: made_up(v) for k, v in value.items()}
    if isinstance(value, int):
        return 987654321
    return value.translate(_SWAP)


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue  # the platform operator's admin: staff only, no partner data scoping
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def page_patterns():
    return list(_walk(get_resolver().url_patterns))


def _is_api(pattern) -> bool:
    return pattern.pattern.regex.pattern.lstrip("^").startswith(("v1", "v2", "v3", "api/"))


def _text_of(response) -> str:
    """What a person would read in the response: the page, or every cell of an Excel export."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.content.decode()


class Problems(list):
    """Every failed expectation of a probe, reported together (one line each) rather than the first alone."""

    def expect(self, ok, message):
        if not ok:
            self.append(message)

    def check(self):
        assert not self, f"{len(self)} problems:\n" + "\n".join(self)


def _leaks(a, text, sent) -> list[str]:
    """A's markers in `text` that the prober did not send itself (a page or an error may echo those)."""
    return [marker for marker in a.markers if marker in text and marker not in sent]


# -------------------------------------------------------------------------------------------------
# Pages
# -------------------------------------------------------------------------------------------------

def _clients(b):
    return {"member": login_client(b.admin.user), "customer": login_client(b.customer_user.user)}


def test_every_page_with_an_id_is_not_found_for_another_partner(a, b):
    before = _snapshot(a)
    clients = _clients(b)
    uncovered, probed, problems = [], 0, Problems()
    for name, pattern in page_patterns():
        if not pattern.pattern.converters or name in EXEMPT or _is_api(pattern):
            continue
        if name not in PAGE_IDS:
            uncovered.append(name)
            continue
        for kwargs, own in zip(PAGE_IDS[name](a), PAGE_IDS[name](b)):
            url = reverse(name, kwargs=kwargs)
            bogus = reverse(name, kwargs={k: v if k in NOT_ID_KWARGS else made_up(v) for k, v in kwargs.items()})
            for method in ("get", "post"):
                for who, client in clients.items():
                    got = getattr(client, method)(url)
                    expected = getattr(client, method)(bogus).status_code
                    where = f"{who}: {method.upper()} {url}"
                    problems.expect(got.status_code == expected, f"{where} gave {got.status_code}, a made-up id {expected}")
                    if got.status_code == 403:  # only where the page is closed to this person whatever the id
                        # (asked the same way: a POST-only page answers a GET with 405 before it looks at the person)
                        own_status = getattr(client, method)(reverse(name, kwargs=own)).status_code
                        problems.expect(own_status == 403, f"{where}: 403, not 404")
                    else:
                        problems.expect(got.status_code in (404, 405), f"{where} gave {got.status_code}")
                    problems.expect(not _leaks(a, _text_of(got), url), f"{where} shows {_leaks(a, _text_of(got), url)}")
                probed += 1
    assert not uncovered, f"URL patterns with ids but no cross-tenant probe: {uncovered}"
    assert probed >= 2 * 20
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


def _get_form_fields(body: str, page_name: str):
    """(target page, field name) of every GET form's fields in a page."""
    for attributes, content in re.findall(r"<form([^>]*)>(.*?)</form>", body, re.S | re.I):
        if not re.search(r'method="get"', attributes, re.I):
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        target = page_name
        if action and action.group(1):
            match = resolve(action.group(1).split("?")[0])
            target = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        for field in set(re.findall(r'name="([^"]+)"', content)):
            yield target, field


def _list_pages():
    for name, pattern in page_patterns():
        if pattern.pattern.converters or name in EXEMPT or _is_api(pattern):
            continue
        if name in ("logout", "send_verification_code", "healthz", "login", "login_verify"):
            continue
        yield name


def _posted_form_fields(body: str, page_name: str):
    """(target page, field name) of every POST form's fields in a page: to its action (the page itself without
    one) and to the formaction of each of its buttons, its own fields and the inputs elsewhere that name it
    (form="…")."""
    def target(url):
        if not url:
            return page_name
        match = resolve(url.split("?")[0])
        return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name

    tags = re.findall(r"<(?:input|select|textarea|button)\b[^>]*>", body, re.I)
    for attributes, content in re.findall(r"<form([^>]*)>(.*?)</form>", body, re.S | re.I):
        if not re.search(r'method="post"', attributes, re.I):
            continue
        fields = set(re.findall(r'name="([^"]+)"', content))
        form_id = re.search(r'\bid="([^"]+)"', attributes)
        if form_id:
            fields |= {name for tag in tags if f'form="{form_id.group(1)}"' in tag
                       for name in re.findall(r'name="([^"]+)"', tag)}
        action = re.search(r'\baction="([^"]*)"', attributes)
        targets = {target(url) for url in re.findall(r'formaction="([^"]*)"', content)}
        if action or not targets:  # a form without an action whose buttons each name theirs posts to those only
            targets.add(target(action.group(1) if action else ""))
        for page in targets:
            for field in fields:
                yield page, field


def test_every_id_field_of_a_page_query_is_described(a):
    """A new filter or picker that carries an id fails here until PAGE_QUERIES probes it; a new posted form that
    carries a resource id, until FORM_IDS does."""
    described = {(name, field) for name, entries in PAGE_QUERIES.items()
                 for _kwargs, query in entries(a, a) for field in query}
    posted_described = {(name, field) for name, entries in FORM_IDS.items()
                        for _kwargs, data in entries(a, a) for field in data}
    found, posted = set(), set()
    for user in (a.admin.user, a.customer_user.user):
        client = login_client(user)
        for name in _list_pages():
            response = client.get(reverse(name))
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found |= set(_get_form_fields(response.content.decode(), name))
                posted |= set(_posted_form_fields(response.content.decode(), name))
    id_like = {(target, field) for target, field in found
               if (field.endswith(("_id", "_ids")) or field in ID_LIKE_FIELDS) and field not in QUERY_NOT_TENANT_IDS}
    assert len(found) > 30
    assert id_like - described == set(), f"page query ids without a cross-tenant probe: {sorted(id_like - described)}"
    resource_fields = {(target, field) for target, field in posted if field in RESOURCE_FIELDS}
    assert {"fee_center_renew", "fee_center_to_on_demand", "fee_center_unsubscribe_preview"} <= {
        target for target, _field in resource_fields}, "the fee center's forms were not found"
    assert resource_fields - posted_described == set(), (
        f"posted resource ids without a cross-tenant probe: {sorted(resource_fields - posted_described)}")


def test_ids_in_page_query_strings_find_nothing_of_another_partner(a, b):
    before = _snapshot(a)
    clients = _clients(b)
    probed, problems = 0, Problems()
    for name, entries in PAGE_QUERIES.items():
        for kwargs, query in entries(a, b):
            path = reverse(name, kwargs=kwargs)
            url = f"{path}?{urlencode(query, doseq=True)}"
            bogus = f"{path}?{urlencode({k: v if k in NOT_ID_QUERY else made_up(v) for k, v in query.items()}, doseq=True)}"
            for method in ("get", "post"):
                for who, client in clients.items():
                    got = getattr(client, method)(url)
                    expected = getattr(client, method)(bogus).status_code
                    where = f"{who}: {method.upper()} {url}"
                    problems.expect(got.status_code == expected, f"{where} gave {got.status_code}, made-up ids {expected}")
                    problems.expect(got.status_code < 500, f"{where} gave {got.status_code}")
                    problems.expect(not _leaks(a, _text_of(got), url), f"{where} shows {_leaks(a, _text_of(got), url)}")
                    probed += 1
    assert probed >= 4 * 20
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


def test_list_pages_show_none_of_another_partners_rows(a, b):
    seen = 0
    for client in _clients(b).values():
        for name in _list_pages():
            response = client.get(reverse(name), follow=True)
            assert not _leaks(a, _text_of(response), ""), f"{name} shows partner A's {_leaks(a, _text_of(response), '')}"
            seen += 1
    assert seen >= 20


# -------------------------------------------------------------------------------------------------
# 拓新: the shared enterprise directory, URLs that join B's object to A's, and ids posted in forms
# -------------------------------------------------------------------------------------------------

def test_the_enterprise_directory_shows_nothing_of_another_partners_reports(a, b):
    """企业百科 is shared reference data (EXEMPT above): B opens and finds the enterprise A reported, and learns
    only that another partner protects it and until when: never who, A's customer, contact or note, nor A's
    report; B's report of it is refused with that date and writes nothing."""
    from expansion.models import Report

    before, reports = _snapshot(a), sorted(Report.objects.values_list("pk", "partner", "status"))
    page = reverse("expansion:enterprise", kwargs={"pk": a.enterprise.pk})
    with_customer = f"{page}?{urlencode({'customer': a.report_customer.domain_id})}"
    search = f"{reverse('expansion:directory')}?{urlencode({'q': a.enterprise.name})}"
    client, problems = login_client(b.admin.user), Problems()
    for method, url, data in (("get", page, None), ("get", with_customer, None), ("get", search, None),
                              ("post", page, {"contact_name": "probe", "note": "probe"}),
                              ("post", page, {"customer": a.report_customer.domain_id, "note": "probe"})):
        got = getattr(client, method)(url, data)
        text, where = got.content.decode(), f"{method.upper()} {url} {data or ''}"
        sent = url + json.dumps(data)
        problems.expect(got.status_code == 200, f"{where} gave {got.status_code}")
        problems.expect(not _leaks(a, text, sent), f"{where} shows {_leaks(a, text, sent)}")
        problems.expect(f'data-report="{a.report.pk}"' not in text, f"{where} shows A's report")
        if url == search:
            problems.expect('data-protection="other"' in text, f"{where}: A's protection is not shown as another's")
        else:
            problems.expect('id="protected-other"' in text, f"{where}: A's protection is not shown as another's")
        if method == "post":
            problems.expect(_date(a.report.protected_until) in text, f"{where}: the refusal gives no date")
    problems.expect(sorted(Report.objects.values_list("pk", "partner", "status")) == reports, "a report was written")
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


def _date(when) -> str:
    from partnercenter.templatetags.display import moment

    return moment(when, "date")


def test_urls_joining_an_own_object_to_another_partners_are_not_found(a, b):
    """A URL naming B's own object and, inside it, one of A's (a collaborator of A's opportunity, A's FH material in
    B's own list) is not found, as a made-up inner id is; A's rows stay."""
    before = _snapshot(a)
    probes = {"expansion:opportunity_collaborator_remove": (
        {"pk": b.ho_open.pk, "collaborator_pk": a.collaborator.pk}, "collaborator_pk"),
              # incentives: A's FH material removed through B's own open list
              "incentives:fh_material_remove": ({"pk": b.fh_month.pk, "material_pk": a.fh_material.pk}, "material_pk")}
    problems = Problems()
    for who, client in _clients(b).items():
        for name, (kwargs, inner) in probes.items():
            for method in ("get", "post"):
                url = reverse(name, kwargs=kwargs)
                got = getattr(client, method)(url)
                expected = getattr(client, method)(reverse(name, kwargs={**kwargs, inner: made_up(kwargs[inner])}))
                where = f"{who}: {method.upper()} {url}"
                problems.expect(got.status_code == expected.status_code,
                                f"{where} gave {got.status_code}, a made-up id {expected.status_code}")
                problems.expect(got.status_code in (403, 404, 405), f"{where} gave {got.status_code}")
                problems.expect(not _leaks(a, _text_of(got), url), f"{where} shows {_leaks(a, _text_of(got), url)}")
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


# The operators' decision pages of incentives (the admin: answer an objection, make a statement final, pay or reject
# a withdrawal, decide an FH qualification, list or payment), each with A's object.
INCENTIVE_ADMIN_PAGES = {
    "incentives_incentivestatement_answer": lambda a: (a.statement_disputed, {"answer": "probe", "amount": "0"}),
    "incentives_incentivestatement_finalise": lambda a: (a.statement_pending, {}),
    "incentives_rebatewithdrawal_paid": lambda a: (a.withdrawal, {"reference": "probe"}),
    "incentives_rebatewithdrawal_reject": lambda a: (a.withdrawal, {"reason": "probe"}),
    "incentives_fhqualification_approve": lambda a: (a.fh_qualification, {"reason": "probe"}),
    "incentives_fhqualification_reject": lambda a: (a.fh_qualification, {"reason": "probe"}),
    "incentives_fhmonth_finalise": lambda a: (a.fh_month, {"reason": "probe"}),
    "incentives_fhmonth_return": lambda a: (a.fh_month, {"reason": "probe"}),
    "incentives_fhpayment_approve": lambda a: (a.fh_payment, {"reason": "probe"}),
    "incentives_fhpayment_reject": lambda a: (a.fh_payment, {"reason": "probe"}),
    "incentives_fhpayment_paid": lambda a: (a.fh_payment, {"reference": "probe"}),
}


def test_the_operators_incentive_decisions_are_closed_to_partners(a, b):
    """The admin is the platform operators' (the probe above skips it): a partner's administrator — B's, and A's own
    — and a customer are sent to the admin's login by every incentives decision page, GET or POST, and nothing of
    A's changes. The list of pages is the admin's own, so a new decision page fails here until it is named."""
    from django.contrib import admin

    found = {url.name for model, model_admin in admin.site._registry.items() if model._meta.app_label == "incentives"
             for url in model_admin.get_urls() if url.name and str(url.pattern).startswith("<int:pk>/")
             and not url.name.endswith(("_change", "_delete", "_history"))}
    assert found == set(INCENTIVE_ADMIN_PAGES), sorted(found ^ set(INCENTIVE_ADMIN_PAGES))
    before = _snapshot(a)
    clients = {**_clients(b), "A's administrator": login_client(a.admin.user)}
    problems = Problems()
    for name, target in INCENTIVE_ADMIN_PAGES.items():
        obj, data = target(a)
        url = reverse(f"admin:{name}", kwargs={"pk": obj.pk})
        for who, client in clients.items():
            for method in ("get", "post"):
                got = getattr(client, method)(url, data if method == "post" else None)
                where = f"{who}: {method.upper()} {url}"
                problems.expect(got.status_code == 302 and got["Location"].startswith(reverse("admin:login")),
                                f"{where} gave {got.status_code} {got.get('Location', '')}")
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


def _fee_center_forms(a):
    """The fee center's forms that post a resource id (费用中心 ▸ 续费管理 / 退订管理), A's period resource in each
    step: the form shown, then saved or confirmed (the two-step confirmations posted back with a token)."""
    one = a.period_resource.resource_id
    confirmed = {"confirm": "1", "token": "probe-token"}
    return {
        "fee_center_renew": [({}, {"resources": [one]}), ({}, {"resources": [one], "period": "2:1", "go": "renew"})],
        "fee_center_auto_renew": [({}, {"resource": one}),
                                  ({}, {"resource": one, "go": "save", "period_type": "YEAR", "times": 2})],
        "fee_center_auto_renew_cancel": [({}, {"resource": one}), ({}, {"resource": one, **confirmed})],
        "fee_center_expiry": [({}, {"resource": one})] + [({}, {"resource": one, "go": "save", "policy": policy})
                                                          for policy in (1, 2)],
        "fee_center_to_on_demand": [({}, {"resources": [one], "operation": operation})
                                    for operation in ("SET_UP", "CANCEL")],
        "fee_center_switch_now": [({}, {"resource": one}), ({}, {"resource": one, **confirmed})],
        # 退订: the refund preview, the chosen type and reason, the confirmation (the unsubscription itself)
        "fee_center_unsubscribe_preview": [({}, {"resource": one})] + [
            ({}, {"resource": one, "unsubscribe_type": kind, "reason_type": 5, "reason": "probe", **extra})
            for kind in (1, 2) for extra in ({}, confirmed)],
    }


# Ids posted in forms: 拓新's (owner of a lead, the customer a lead converts to, an opportunity's or a report's
# customer) and the fee center's (A's resources): (kwargs, form data) with A's ids, `b` for pages that need one
# of B's own objects.
FORM_IDS = {
    "expansion:lead_new": lambda a, b: [({}, {"company_name": "probe", "owner": a.member.pk})],
    "expansion:lead_owner": lambda a, b: [({"pk": b.lead.pk}, {"owner": owner}) for owner in (a.member.pk, a.admin.pk)],
    "expansion:lead_convert": lambda a, b: [({"pk": b.lead.pk}, {"to": "customer", "customer_id": customer})
                                            for customer in (a.resale.domain_id, a.referral.domain_id)],
    "expansion:opportunity_register": lambda a, b: [({}, {"name": "probe", "customer_name": "probe",
                                                          "customer_id": a.resale.domain_id})],
    "expansion:enterprise": lambda a, b: [({"pk": enterprise.pk}, {"customer": a.report_customer.domain_id})
                                          for enterprise in (a.enterprise, b.enterprise)],
    **{name: lambda a, b, name=name: _fee_center_forms(a)[name]
       for name in ("fee_center_renew", "fee_center_auto_renew", "fee_center_auto_renew_cancel", "fee_center_expiry",
                    "fee_center_to_on_demand", "fee_center_switch_now", "fee_center_unsubscribe_preview")},
}
FORM_NOT_IDS = {"to", "company_name", "name", "customer_name",
                # the fee center's: the renewal period, the button pressed, what at expiry, the confirmation
                "period", "go", "period_type", "times", "policy", "operation", "unsubscribe_type", "reason_type",
                "reason", "confirm", "token"}
# Forms acting on the customer's own resources (the fee center's): A's resource id is refused as a made-up one
# is — "not found" (404), or back to the list with an error message — never acted on.
FORM_REFUSES = {name for name in FORM_IDS if name.startswith("fee_center_")}
# Posted form fields that carry a resource id (a form of a list page posting one must be in FORM_IDS).
RESOURCE_FIELDS = ("resource", "resources", "resource_id", "resource_ids")


def _refused(response) -> bool:
    """404, or a redirect carrying an error message (a batch form's per-resource refusals)."""
    from django.contrib.messages import constants, get_messages

    if response.status_code == 404:
        return True
    return response.status_code == 302 and any(
        m.level == constants.ERROR for m in get_messages(response.wsgi_request))


def test_ids_posted_in_forms_find_nothing_of_another_partner(a, b):
    """B posts A's members and customers in its own 拓新 forms, and B's customer posts A's resources in the fee
    center's forms: the answer a made-up id gets — for the fee center a refusal —, none of A's names, nothing of
    A's changes (its resources, auto-renewals, orders, money) and nothing of B's comes to point at A's rows."""
    from expansion.models import Lead, Opportunity, Report
    from subscriptions.models import AutoRenewal, Unsubscription
    from trade.models import OrderLine

    def pointing_at_a():
        customers = [a.resale.pk, a.referral.pk, a.report_customer.pk]
        a_resources = [a.period_resource.resource_id]
        return (Lead.objects.filter(partner=b.partner).filter(owner__partner=a.partner).count()
                + Lead.objects.filter(partner=b.partner, customer__in=customers).count()
                + Opportunity.objects.filter(partner=b.partner, customer__in=customers).count()
                + Report.objects.filter(partner=b.partner, customer__in=customers).count()
                + OrderLine.objects.filter(resource_id__in=a_resources).exclude(order__customer__in=customers).count()
                + AutoRenewal.objects.filter(resource__customer__in=customers).exclude(customer__in=customers).count()
                + Unsubscription.objects.filter(order__lines__resource_id__in=a_resources).exclude(
                    customer__in=customers).count())

    before, pointing = _snapshot(a), pointing_at_a()
    problems, probed = Problems(), 0
    for name, entries in FORM_IDS.items():
        for kwargs, data in entries(a, b):
            url = reverse(name, kwargs=kwargs)
            bogus = {k: v if k in FORM_NOT_IDS else made_up(v) for k, v in data.items()}
            for who, client in _clients(b).items():
                got, expected = client.post(url, data), client.post(url, bogus)
                where = f"{who}: POST {url} {data}"
                problems.expect(got.status_code == expected.status_code,
                                f"{where} gave {got.status_code}, made-up ids {expected.status_code}")
                problems.expect(got.status_code < 500, f"{where} gave {got.status_code}")
                if name in FORM_REFUSES and who == "customer":
                    problems.expect(_refused(got), f"{where} gave {got.status_code} without a refusal")
                sent = url + json.dumps(data)
                problems.expect(not _leaks(a, _text_of(got), sent), f"{where} shows {_leaks(a, _text_of(got), sent)}")
                probed += 1
    assert probed >= 2 * 8 + 2 * 15
    problems.expect(pointing_at_a() == pointing == 0, "a row of B's now names one of A's members, customers or resources")
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


# -------------------------------------------------------------------------------------------------
# The CBC API
# -------------------------------------------------------------------------------------------------

def _api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation, schema


def _request_component(operation, schema):
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else {}


def _fields(operation, schema) -> tuple[list[str], list[str]]:
    """(every field, the required ones) of an operation's request: its path parameters, and its query
    parameters or its JSON body."""
    in_path = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        return in_path + [p["name"] for p in query], in_path + [p["name"] for p in query if p.get("required")]
    component = _request_component(operation, schema)
    return in_path + list(component.get("properties", {})), in_path + list(component.get("required", []))


def _send(api, method, path, key, data):
    data = dict(data)
    for name in re.findall(r"{(\w+)}", path):  # path parameters go into the path
        path = path.replace(f"{{{name}}}", str(data.pop(name)))
    if method == "GET":
        query = [(k, item) for k, v in data.items() for item in (v if isinstance(v, list) else [v])]
        return call(api, method, path, ak=key[0], sk=key[1], query=query)
    return call(api, method, path, ak=key[0], sk=key[1], json=data)


def _not_found_codes() -> set[str]:
    """The error codes that mean "not found" (HTTP 404): the core's CBC.0156 and the domains' own."""
    from partnercenter.errors import STATUS

    return {code for code, status in STATUS.items() if status == 404}


def _same_answer(response, sent: dict, blank: str):
    """A response with the ids the prober sent replaced by one placeholder, to compare answers."""
    text = response.content.decode()
    for value in json.dumps(sent).split('"'):
        if len(value) >= 8:
            text = text.replace(value, blank)
    return response.status_code, text


def test_every_api_operation_with_an_id_finds_nothing_of_another_partner(a, b):
    before = _snapshot(a)
    api = Client()
    keys = {"partner key": (b.key.ak, b.secret), "customer key": (b.customer_key.ak, b.customer_secret)}
    operations = list(_api_operations())
    assert operations, "the schema lists no operations"
    uncovered, probed, problems = [], 0, Problems()
    counter = iter(range(10**6))
    for path, method, operation, schema in operations:
        if (method, path) in API_NOT_PROBED:
            continue
        fields, required = _fields(operation, schema)
        ids_of = {**API_IDS, **API_IDS_OF.get((method, path), {})}
        id_fields = [f for f in fields if (f.endswith(("_id", "_ids")) or f in ids_of) and f not in API_NOT_TENANT_IDS]
        uncovered += [f"{method} {path} {f}" for f in required if f not in id_fields and f not in REQUIRED_VALUES]
        uncovered += [f"{method} {path} {f}" for f in id_fields if f not in ids_of]
        id_fields = [f for f in id_fields if f in ids_of]
        required_ids = {f: ids_of[f](a) for f in required if f in id_fields}
        bodies = [{**required_ids, f: ids_of[f](a)} for f in id_fields]
        every_id = {f: ids_of[f](a) for f in id_fields}
        bodies += [every_id] if every_id not in bodies else []
        for who, key in keys.items():
            plain = {f: REQUIRED_VALUES[f](next(counter)) for f in required if f in REQUIRED_VALUES}
            closed_to_key = _send(api, method, path, key, {**plain, **made_up(required_ids)}).status_code == 403
            for ids in bodies:
                values = {f: REQUIRED_VALUES[f](next(counter)) for f in required if f in REQUIRED_VALUES}
                got = _send(api, method, path, key, {**values, **ids})
                values = {f: REQUIRED_VALUES[f](next(counter)) for f in required if f in REQUIRED_VALUES}
                bogus = _send(api, method, path, key, {**values, **made_up(ids)})
                where = f"{who}: {method} {path} {ids}"
                text = got.content.decode()
                # A's ids get the answer made-up ids get: not found, or (for a list) no rows.
                problems.expect(_same_answer(got, ids, "<id>") == _same_answer(bogus, made_up(ids), "<id>"),
                                f"{where}: {got.status_code} {text} — made-up ids: {bogus.status_code}")
                if set(ids) == set(id_fields):  # with every id of A it must reach the lookup
                    problems.expect(got.status_code != 400, f"{where}: {text}")
                problems.expect(got.status_code < 500, f"{where}: {text}")
                if got.status_code == 403:
                    problems.expect(closed_to_key and got.json()["error_code"] == "CBC.0151", f"{where}: 403, not not-found")
                if got.status_code == 404:  # CBC.0156, or a domain's own not-found code (CBC.99008001: order)
                    problems.expect(got.json()["error_code"] in _not_found_codes(), f"{where}: {text}")
                problems.expect(not _leaks(a, text, json.dumps(ids)), f"{where} leaks {_leaks(a, text, json.dumps(ids))}")
                probed += 1
    assert not uncovered, f"API id fields without a cross-tenant probe: {uncovered}"
    assert probed >= 2 * 45
    assert set(API_IDS_OF) <= {(method, path) for path, method, _o, _s in operations}, "API_IDS_OF names no operation"
    problems.expect(_snapshot(a) == before, "partner A's rows changed")
    problems.check()


def test_customer_keys_see_nothing_of_partners(a, b):
    api = Client()
    for path, method, _operation, _schema in _api_operations():
        response = call(api, method, path, ak=b.customer_key.ak, sk=b.customer_secret, json={})
        assert response.status_code in (200, 400, 403, 404)
        assert not _leaks(a, response.content.decode(), "")
