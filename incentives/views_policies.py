"""销售 › 激励 › 激励政策 (`incentives:policies`, incentives.view).

- policies/?month=YYYY-MM&q=…   the policies in force for the partner in the month (default: this month), per
                            association type: the general rates per charging mode, each service type with a
                            rule (特定产品 and its rates, 无业绩无返点, 有业绩无返点), the tiers, the special
                            incentive on a new customer's first order; and why the incentive differs from the
                            customers' consumption. `q` keeps the service types whose code or name contains it.
                            A month that is not YYYY-MM is refused on the page (400, this month shown instead),
                            never a 500. At most five queries after the member's own.
"""

from django.shortcuts import render

from partnercenter.errors import DomainError
from partnercenter.pages import member_page

from . import policies as rules
from . import selectors_policies

__all__ = ["policies"]


@member_page("incentives.view")
def policies(request):
    current = rules.current_month()
    month, error = current, None
    if request.GET.get("month"):
        try:
            month = rules.parse_month(request.GET["month"])
        except DomainError as exc:
            month, error = current, exc.message
    search = request.GET.get("q", "").strip()[:64]
    return render(request, "incentives/policies_page.html", {
        "current": "policies", "month": rules.cycle_of_month(month), "error": error, "q": search,
        "choices": selectors_policies.month_choices(current),
        "sections": selectors_policies.sections_for(request.actor.partner, month, search),
    }, status=400 if error else 200)
