"""What the directory area registers when the app starts: error codes, event types, operation-log labels,
and the link from an associated real-name customer's detail page to its enterprise directory entry."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.choices import VerifiedStatus
from customers.extensions import register_detail_link
from partnercenter.oplog import register_actions

from . import errors_directory, event_types_directory  # noqa: F401  (error codes, event types)

register_actions({
    "expansion.report": _("Report a prospect (报备客户)"),
    "expansion.report_withdraw": _("Withdraw a report"),
    "expansion.reports_expire": _("Reports expired at the end of their protection period"),
})


def enterprise_link(request, customer):
    """查看企业百科 from 客户管理: a verified real-name customer whose real-name name is a directory entry's
    name links to that entry (to the search when several entries share the name). One statement."""
    from .selectors_directory import enterprises_named

    actor = request.actor
    if not (actor.is_partner and actor.has_perm("expansion.view")):
        return None
    if customer.verified_status != VerifiedStatus.VERIFIED or not customer.real_name:
        return None
    found = list(enterprises_named(customer.real_name).values_list("pk", flat=True)[:2])
    if not found:
        return None
    if len(found) == 1:
        url = reverse("expansion:enterprise", args=[found[0]]) + "?" + urlencode({"customer": customer.domain_id})
    else:
        url = reverse("expansion:directory") + "?" + urlencode({"q": customer.real_name})
    return {"id": "enterprise-link", "label": _("Enterprise directory entry"), "url": url}


register_detail_link(enterprise_link)
