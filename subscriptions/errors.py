"""Error codes of subscriptions: Huawei's where its documentation names one (CBC.30000053), ours in the
CBC range otherwise."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["SubscriptionCodes"]


class SubscriptionCodes:
    SAVINGS_PLAN = "CBC.30000053"  # Huawei's: 资源计费模式是节省计划，不支持退订
    NOT_MAIN_RESOURCE = "CBC.99008101"
    RELEASED = "CBC.99008102"
    WRONG_STATE = "CBC.99008103"
    NOTHING_TO_REFUND = "CBC.99008104"
    AUTO_RENEW_NOT_SET = "CBC.99008105"
    RENEWAL_PENDING = "CBC.99008106"
    PLAN_CHANGED = "CBC.99008107"


register({
    SubscriptionCodes.SAVINGS_PLAN: (400, _("The resource is billed by a savings plan: it cannot be unsubscribed.")),
    SubscriptionCodes.NOT_MAIN_RESOURCE: (400, _(
        "Only main resources are named here; their subordinate resources follow them.")),
    SubscriptionCodes.RELEASED: (400, _("The resource has been released.")),
    SubscriptionCodes.WRONG_STATE: (400, _("The resource's state does not allow this operation.")),
    SubscriptionCodes.NOTHING_TO_REFUND: (400, _("The resource has no renewal that has not started yet.")),
    SubscriptionCodes.AUTO_RENEW_NOT_SET: (400, _("Auto-renew is not set for this resource.")),
    SubscriptionCodes.RENEWAL_PENDING: (400, _(
        "An order for this resource is waiting for payment: pay or cancel it first.")),
    SubscriptionCodes.PLAN_CHANGED: (409, _("The resource's orders changed while the refund was being made. "
                                            "Please try again.")),
})
