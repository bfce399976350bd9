"""The eye toggles on customers' masked fields, for every app's pages (我的客户, 客户详情, 调账记录, 收支明细,
已发放代金券, 代金券操作记录): the core's `Reveal` says which fields the viewer asked to see, and showing a
customer's name, account, mobile number or e-mail in full is logged here, before the page renders it."""

from partnercenter.templatetags.display import Reveal

from .services import record_reveal

__all__ = ["reveal_customers"]


def reveal_customers(request, customers, *fields: str) -> Reveal:
    """The `Reveal` for a page showing `customers` (None entries skipped) with `fields` behind eyes; pass it
    to the template as `reveal`. Nothing is logged when nothing is revealed or the page shows no one."""
    reveal = Reveal(request, *fields)
    shown = list({customer.domain_id: customer for customer in customers if customer is not None}.values())
    if reveal and shown:
        record_reveal(request.actor, customers=shown, fields=reveal.shown)
    return reveal
