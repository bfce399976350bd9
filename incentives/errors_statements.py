"""Error codes of 激励对账 (incentive statements): CBC.990111xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["StatementCodes"]


class StatementCodes:
    # -- the partner's side: confirm or dispute (990111 00–09) -----------------------------------------
    NOT_PENDING = "CBC.99011100"
    DEADLINE_PASSED = "CBC.99011101"
    REASON_REQUIRED = "CBC.99011102"
    # -- the operators' side: answer and make final (990111 10–19) -------------------------------------
    NOT_DISPUTED = "CBC.99011110"
    ANSWER_REQUIRED = "CBC.99011111"
    NOT_CONFIRMED = "CBC.99011112"
    ALREADY_FINAL = "CBC.99011113"


register({
    StatementCodes.NOT_PENDING: (409, _("The statement is no longer waiting for reconciliation.")),
    StatementCodes.DEADLINE_PASSED: (409, _(
        "The objection period of this statement has ended: it becomes final as it is.")),
    StatementCodes.REASON_REQUIRED: (400, _("Say what is wrong with the statement.")),
    StatementCodes.NOT_DISPUTED: (409, _("Only a disputed statement can be answered.")),
    StatementCodes.ANSWER_REQUIRED: (400, _("Write the answer to the partner's objection.")),
    StatementCodes.NOT_CONFIRMED: (409, _(
        "Only a statement the partner confirmed can be made final before its objection period ends.")),
    StatementCodes.ALREADY_FINAL: (409, _("The statement is final already.")),
})
