"""Pages of vouchers (券管理): the partner's quotas (代金券额度 / 现金券额度), issuing coupons from a quota,
已发放代金券 with filters, Excel export and (batch) reclaim, the 操作记录, a distributor's quotas at its
cloud resellers, and the customer's own coupons in 费用中心.

Every issue and reclaim takes two steps (partnercenter.confirmation.two_step): the page shows what
will happen (face value × customers, the balances to be reclaimed) with the verification code when
the partner asks for one, and only the confirmation calls the service, once: its one-time token is
claimed in the database first. Services answer per customer, coupon or reseller; the result pages
show each row's coupon ID, amount or the service's reason.

The issuer's remark is shown to the partner only (list, export, records); the customer's page never
reads it.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import customers_for, resale_customers_for
from customers.reveal import reveal_customers
from partnercenter.confirmation import confirming, posted, two_step
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.pages import chosen_ids, customer_page, member_page, paginate
from partnercenter.selectors import resellers_for
from partnercenter.templatetags.display import mask_text

from . import selectors, services
from .choices import CouponType, QuotaStatus, QuotaType
from .filters import (
    CouponFilter, CouponRecordFilter, CustomerCouponFilter, IssuedQuotaFilter, QuotaFilter, QuotaRecordFilter,
)
from .forms import IssueCouponsForm, RemarkForm, ResellerQuotaForm

__all__ = [
    "quotas", "issue", "coupons", "coupon_export", "reclaim", "records", "reseller_quotas", "reseller_issue",
    "reseller_reclaim", "fee_center_coupons",
]



def _require_distributor(actor):
    if not actor.partner.is_distributor:
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------
# 代金券额度 / 现金券额度
# ---------------------------------------------------------------------------------------------

@member_page("vouchers.view")
def quotas(request):
    actor = request.actor
    quota_type = QuotaType.FLEXI_COUPON if request.GET.get("quota_type") == str(QuotaType.FLEXI_COUPON) \
        else QuotaType.CASH_COUPON
    filters = QuotaFilter(request.GET or None, queryset=selectors.quotas_for(actor).filter(quota_type=quota_type))
    form, page = filters.form, paginate(request, filters.qs)
    now = timezone.now()
    for quota in page:
        quota.usable = quota.usable_at(now)
    return render(request, "vouchers/quotas.html", {
        "form": form, "page": page, "quota_type": quota_type, "flexi": quota_type == QuotaType.FLEXI_COUPON,
        "can_issue": actor.has_perm("vouchers.issue"),
    })


# ---------------------------------------------------------------------------------------------
# 发放
# ---------------------------------------------------------------------------------------------

def _customer_choices(actor, quota) -> list[tuple[str, str]]:
    """The customers the actor may give a coupon from this quota, as (account ID, name): flexi-purchase
    coupons (现金券) go to resale customers only. Names masked, as in 我的客户."""
    queryset = resale_customers_for(actor) if services.resale_only(quota) else customers_for(actor)
    return [(domain_id, mask_text(name))
            for domain_id, name in queryset.prefetch_related(None).values_list("domain_id", "domain_name")]


@member_page("vouchers.issue")
def issue(request, quota_id):
    """发放: one coupon of the face value to each chosen customer, after a confirmation; a result per customer."""
    actor = request.actor
    quota = selectors.quotas_for(actor).filter(quota_id=quota_id).first()
    if quota is None:
        raise Http404
    usable = quota.usable_at(timezone.now())
    customers = _customer_choices(actor, quota) if usable else []
    # A customer confirmed a moment ago who has since left still goes to the service, which refuses
    # that row alone and says why.
    extra = chosen_ids(request.POST.getlist("customers"))[:services.BATCH_LIMIT] if confirming(request) else []
    form = IssueCouponsForm(posted(request), quota=quota, customers=customers, extra_ids=extra,
                            check_balance=not confirming(request),
                            initial={"customers": chosen_ids(request.GET.getlist("customer"))})
    context = {"form": form, "quota": quota, "usable": usable, "flexi": services.resale_only(quota)}
    if not usable:
        return render(request, "vouchers/issue.html", context)

    def run(code):
        data = form.cleaned_data
        return services.issue_coupons(
            actor, quota_id=quota.quota_id, customer_ids=data["customers"], face_value=data["face_value"],
            valid_time=data["valid_time"], expire_time=data["expire_time"],
            cloud_service_types=data["cloud_service_types"], product_ids=data["product_ids"], remark=data["remark"],
            verification_code=code,
        )

    step = two_step(request, form, run)
    context.update(step.context)
    if step.done:
        data, (infos, errors) = form.cleaned_data, step.result
        coupons = {info["id"]: info["coupon_id"] for info in infos}
        refusals = {error["id"]: error for error in errors}
        results = [{"customer_id": i, "label": form.customer_names.get(i), "ok": i in coupons,
                    "coupon_id": coupons.get(i), "error_code": refusals.get(i, {}).get("error_code"),
                    "error_msg": refusals.get(i, {}).get("error_msg")}
                   for i in data["customers"]]
        return render(request, "vouchers/issue_result.html", {
            "results": results, "succeeded": len(infos), "failed": len(errors), "face_value": data["face_value"],
            "issued": data["face_value"] * len(infos), "remark": data["remark"],
            "quota": selectors.quotas_for(actor).get(pk=quota.pk),
        })
    if not step.confirm:
        return render(request, "vouchers/issue.html", context)
    data = form.cleaned_data
    total = data["face_value"] * len(data["customers"])
    context.update(data=data, rows=[(i, form.customer_names.get(i)) for i in data["customers"]], total=total)
    return render(request, "vouchers/issue_confirm.html", context)


# ---------------------------------------------------------------------------------------------
# 已发放代金券 and its export
# ---------------------------------------------------------------------------------------------

def _filtered_coupons(request):
    filters = CouponFilter(request.GET or None, queryset=selectors.coupons_for(request.actor))
    return filters.form, filters.qs


@member_page("vouchers.view")
def coupons(request):
    form, queryset = _filtered_coupons(request)
    page = paginate(request, queryset)
    return render(request, "vouchers/coupons.html", {
        "form": form, "page": page, "can_reclaim": request.actor.has_perm("vouchers.issue"),
        "reveal": reveal_customers(request, [coupon.customer for coupon in page], "account"),
    })


def _limits(values) -> str:
    return ", ".join(values) if values else ""


@member_page("vouchers.view")
def coupon_export(request):
    """The filtered 已发放代金券 as Excel (at most EXPORT_LIMIT rows), remark included: the issuer sees it."""
    _form, queryset = _filtered_coupons(request)
    rows = (
        [coupon.coupon_id, coupon.customer.domain_id, mask_text(coupon.customer.domain_name),
         str(coupon.get_coupon_type_display()), coupon.face_value, coupon.balance,
         str(coupon.get_status_display()), local_time(coupon.valid_time), local_time(coupon.expire_time),
         _limits(coupon.cloud_service_types), _limits(coupon.product_ids), coupon.quota.quota_id,
         local_time(coupon.created_at), coupon.remark]
        for coupon in queryset[:EXPORT_LIMIT]
    )
    return xlsx_response(request, action="coupons.export", name="coupons", title=_("Issued coupons"), rows=rows, header=[
        _("Coupon ID"), _("Customer account ID"), _("Account name"), _("Coupon type"), _("Face value (CNY)"),
        _("Balance (CNY)"), _("Status"), _("Valid from"), _("Expires"), _("Cloud service types"), _("Product IDs"),
        _("Quota ID"), _("Issued at"), _("Remark")])


# ---------------------------------------------------------------------------------------------
# 回收 / 批量回收
# ---------------------------------------------------------------------------------------------

@member_page("vouchers.issue")
def reclaim(request):
    """回收 the coupons named in the query (?coupon=…&coupon=…): always each one's whole remaining
    balance, back to its quota. Coupons that are not effective are refused by the service, row by row."""
    actor = request.actor
    ids = chosen_ids(request.GET.getlist("coupon"))
    too_many = len(ids) > services.BATCH_LIMIT
    ids = ids[:services.BATCH_LIMIT]
    found = {c.coupon_id: c for c in selectors.coupons_for(actor).filter(coupon_id__in=ids)} if ids else {}
    chosen = [found[i] for i in ids if i in found]
    for coupon in chosen:
        coupon.reclaimable = coupon.is_effective
    form = RemarkForm(posted(request))
    context = {
        "form": form, "coupons": chosen, "missing": [i for i in ids if i not in found], "too_many": too_many,
        "limit": services.BATCH_LIMIT,
        "total": sum((c.balance for c in chosen if c.reclaimable), Decimal("0.00")),
        "not_effective": sum(1 for c in chosen if not c.reclaimable),
    }
    if not chosen:
        return render(request, "vouchers/reclaim.html", context)
    step = two_step(request, form, lambda code: services.reclaim_coupons(
        actor, coupon_ids=[c.coupon_id for c in chosen], remark=form.cleaned_data["remark"], verification_code=code))
    if not step.done:
        return render(request, "vouchers/reclaim.html", {**context, **step.context})
    results = step.result
    for result in results:
        result["coupon"] = found.get(result["coupon_id"])
    succeeded = [r for r in results if r["ok"]]
    return render(request, "vouchers/reclaim_result.html", {
        "results": results, "succeeded": len(succeeded), "failed": len(results) - len(succeeded),
        "reclaimed": sum((r["amount"] for r in succeeded), Decimal("0.00")),
    })


# ---------------------------------------------------------------------------------------------
# 操作记录
# ---------------------------------------------------------------------------------------------

@member_page("vouchers.view")
def records(request):
    filters = CouponRecordFilter(request.GET or None, queryset=selectors.coupon_records_for(request.actor))
    page = paginate(request, filters.qs)
    return render(request, "vouchers/records.html", {
        "form": filters.form, "page": page,
        "reveal": reveal_customers(request, [record.customer for record in page], "account"),
    })


# ---------------------------------------------------------------------------------------------
# A distributor's quotas at its cloud resellers
# ---------------------------------------------------------------------------------------------

@member_page("vouchers.view")
def reseller_quotas(request):
    """下发给云经销商的额度 and the records of issuing and reclaiming them."""
    actor = request.actor
    _require_distributor(actor)
    tab = "records" if request.GET.get("tab") == "records" else "quotas"
    context = {"tab": tab, "can_issue": actor.has_perm("vouchers.issue") and actor.has_perm("resellers.view")}
    if tab == "records":
        filters = QuotaRecordFilter(request.GET or None, queryset=selectors.quota_records_for(actor))
        context.update(form=filters.form, page=paginate(request, filters.qs))
    else:
        filters = IssuedQuotaFilter(request.GET or None, queryset=selectors.issued_quotas_for(actor))
        context.update(form=filters.form, page=paginate(request, filters.qs))
    return render(request, "vouchers/reseller_quotas.html", context)


@member_page("vouchers.issue")
def reseller_issue(request):
    """Part of one of the distributor's usable quotas to one or more resellers, the same amount each."""
    actor = request.actor
    _require_distributor(actor)
    now = timezone.now()
    own = [q for q in selectors.quotas_for(actor).filter(parent__isnull=True, status=QuotaStatus.NORMAL)
           if services.can_go_to_resellers(q, now=now)]
    form = ResellerQuotaForm(posted(request), quotas=own, resellers=list(resellers_for(actor)))
    step = two_step(request, form, lambda code: services.issue_quota_to_resellers(
        actor, quota_id=form.cleaned_data["quota"], indirect_partner_ids=form.cleaned_data["resellers"],
        quota_amount=form.cleaned_data["amount"], verification_code=code))
    if step.done:
        data, (infos, errors) = form.cleaned_data, step.result
        done = {info["id"]: info for info in infos}
        refusals = {error["id"]: error for error in errors}
        results = [{"reseller": form.reseller_names.get(i), "id": i, "ok": i in done,
                    "quota_id": done.get(i, {}).get("quota_id"), "amount": data["amount"] if i in done else None,
                    "error_msg": refusals.get(i, {}).get("error_msg")} for i in data["resellers"]]
        return render(request, "vouchers/reseller_result.html", {
            "title": _("Quota issue result"), "results": results, "succeeded": len(infos), "failed": len(errors),
            "moved": data["amount"] * len(infos),
            "quota": selectors.quotas_for(actor).get(pk=form.quotas[data["quota"]].pk),
        })
    context = {"form": form, **step.context}
    if step.confirm:
        data = form.cleaned_data
        quota = form.quotas[data["quota"]]
        total = data["amount"] * len(data["resellers"])
        context.update(quota=quota, resellers=[form.reseller_names[i] for i in data["resellers"]], total=total,
                       short=total > quota.balance)
    return render(request, "vouchers/reseller_issue.html", context)


@member_page("vouchers.issue")
def reseller_reclaim(request):
    """Take back what is left of child quotas (?quota=…&quota=…) issued to resellers, with a remark."""
    actor = request.actor
    _require_distributor(actor)
    ids = chosen_ids(request.GET.getlist("quota"))[:services.BATCH_LIMIT]
    found = {q.quota_id: q for q in selectors.issued_quotas_for(actor).filter(quota_id__in=ids)} if ids else {}
    chosen = [found[i] for i in ids if i in found]
    form = RemarkForm(posted(request))
    context = {
        "form": form, "quotas": chosen, "missing": [i for i in ids if i not in found],
        "total": sum((q.balance for q in chosen if not q.is_reclaimed), Decimal("0.00")),
    }
    if not chosen:
        return render(request, "vouchers/reseller_reclaim.html", context)
    step = two_step(request, form, lambda code: services.reclaim_reseller_quotas(
        actor, quota_ids=[q.quota_id for q in chosen], remark=form.cleaned_data["remark"], verification_code=code))
    if not step.done:
        return render(request, "vouchers/reseller_reclaim.html", {**context, **step.context})
    infos, errors = step.result
    done = {info["quota_id"]: info for info in infos}
    refusals = {error["id"]: error for error in errors}
    results = [{"reseller": quota.partner, "id": quota.partner.domain_id, "ok": quota.quota_id in done,
                "quota_id": quota.quota_id, "amount": done.get(quota.quota_id, {}).get("quota_balance"),
                "error_msg": refusals.get(quota.quota_id, {}).get("error_msg")} for quota in chosen]
    return render(request, "vouchers/reseller_result.html", {
        "title": _("Quota reclaim result"), "results": results, "succeeded": len(infos), "failed": len(errors),
        "moved": sum((r["amount"] for r in results if r["ok"]), Decimal("0.00")), "reclaim": True,
    })


# ---------------------------------------------------------------------------------------------
# 费用中心 ▸ 优惠券 (the customer)
# ---------------------------------------------------------------------------------------------

@customer_page
def fee_center_coupons(request):
    """The customer's own coupons, 代金券 and 现金券 in two tabs. Never the issuer's remark."""
    coupon_type = CouponType.FLEXI_COUPON if request.GET.get("coupon_type") == str(CouponType.FLEXI_COUPON) \
        else CouponType.CASH_COUPON
    mine = selectors.customer_coupons_for(request.actor)
    counts = dict(mine.order_by().values_list("coupon_type").annotate(n=Count("pk")))
    filters = CustomerCouponFilter(request.GET or None, queryset=mine.filter(coupon_type=coupon_type))
    return render(request, "vouchers/fee_center_coupons.html", {
        "form": filters.form, "page": paginate(request, filters.qs), "coupon_type": coupon_type,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in CouponType.choices],
    })
