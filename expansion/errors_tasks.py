"""Error codes of sales tasks (营销任务 › 销售拓展任务) and their entrustment (委托): CBC.990134xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["TaskCodes"]


class TaskCodes:
    # -- sales tasks (expansion/tasks_sales.py): 990134 01–19 -------------------------------------------
    NOT_ASSOCIATED = "CBC.99013401"
    DUE_IN_PAST = "CBC.99013402"
    TASK_CLOSED = "CBC.99013403"
    NOTE_REQUIRED = "CBC.99013404"
    RESULT_REQUIRED = "CBC.99013405"
    TITLE_REQUIRED = "CBC.99013406"
    # -- entrustment (expansion/tasks_entrustment.py): 990134 20–39 ------------------------------------
    NOT_A_RESELLER = "CBC.99013420"
    CONSENT_REQUIRED = "CBC.99013421"
    ALREADY_ENTRUSTED = "CBC.99013422"
    NOT_ENTRUSTED = "CBC.99013423"
    DISTRIBUTOR_INACTIVE = "CBC.99013424"


register({
    TaskCodes.NOT_ASSOCIATED: (400, _("The customer is not associated with this partner.")),
    TaskCodes.DUE_IN_PAST: (400, _("The due date cannot be earlier than today.")),
    TaskCodes.TASK_CLOSED: (409, _("The task is closed.")),
    TaskCodes.NOTE_REQUIRED: (400, _("Describe the progress.")),
    TaskCodes.RESULT_REQUIRED: (400, _("Give the result to close the task.")),
    TaskCodes.TITLE_REQUIRED: (400, _("Give the task a title.")),
    TaskCodes.NOT_A_RESELLER: (400, _("Only a cloud reseller can entrust its customers to its distributor.")),
    TaskCodes.CONSENT_REQUIRED: (400, _("Read the entrustment notice and agree to it first.")),
    TaskCodes.ALREADY_ENTRUSTED: (409, _("Your customers are already entrusted to your distributor.")),
    TaskCodes.NOT_ENTRUSTED: (409, _("Your customers are not entrusted to your distributor.")),
    TaskCodes.DISTRIBUTOR_INACTIVE: (400, _("Your distributor is not active: your customers cannot be entrusted to "
                                            "it.")),
})
