"""How trade's actions read in the 操作记录 page."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

register_actions({
    "order.place": _("Place order"),
    "order.cancel": _("Cancel order"),
    "order.cancel_overdue": _("Cancel unpaid orders"),
    "order.pay": _("Customer pays order"),
    "order.partner_pay": _("Pay order for customer"),
    "order.request_payment": _("Customer asks partner to pay order"),
    "order.approve_payment": _("Approve payment request"),
    "order.decline_payment": _("Decline payment request"),
    "order.withdraw_payment_request": _("Withdraw payment request"),
    "order.adjust_price": _("Adjust order price"),
    "order.vat_invoice": _("Record VAT invoice"),
    "order.export": _("Export orders"),
    # 伙伴设置折扣 (trade/discounts.py)
    "trade.discount_set": _("Set customer discount"),
    "trade.discount_remove": _("Remove customer discount"),
})
