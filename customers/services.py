"""Every write of the customers domain, in one place to import from (each lives in the module of its area):

- registration.py — registration rules, 校验客户注册信息, the SMS registration code, 创建客户;
- associations.py — 分配客户经理 and the association events (解除关联, 切换关联类型, 关联关系操作记录), and
  `is_resale`, the one place resale is decided;
- delegation.py — delegated operations (代客运维, which also lets the partner order on the customer's behalf:
  代客下单, `ordering_authorization`);
- common.py — what they share (who may act, the customer an actor names, the events);
- here: `record_reveal`, the trace left by reading sensitive data.

Each runs inside `partnercenter.oplog.operation()` (verification code where the operation is
sensitive, one transaction, the operation log). Customers are looked up through selectors, so
another partner's customer — or one outside an account manager's team — is "not found".
"""

from partnercenter.oplog import operation

from .associations import (DISASSOCIATION_CHECKS, SWITCH_CHECKS, assign_account_manager, cancel_event,
                           customer_request_disassociation, decide_event, eligibility_failures, is_resale,
                           request_disassociation, request_type_switch)
from .delegation import (OPS_VALIDITY, decide_ops_authorization, ordering_authorization, request_ops_authorization,
                         revoke_ops_authorization)
from .registration import (ACCOUNTS_PER_MOBILE, CODE_DIGITS, CODE_MAX_ATTEMPTS, CODE_RESEND_INTERVAL, check_identity,
                           create_customer, normalize_mobile, send_registration_code, validate_domain_name,
                           validate_password)

__all__ = [
    "ACCOUNTS_PER_MOBILE", "normalize_mobile", "validate_domain_name", "validate_password", "check_identity",
    "send_registration_code", "create_customer", "assign_account_manager",
    "request_disassociation", "request_type_switch", "customer_request_disassociation", "decide_event",
    "cancel_event", "request_ops_authorization", "decide_ops_authorization", "revoke_ops_authorization",
    "record_reveal", "is_resale", "ordering_authorization",
    # also importable from here, as before the split
    "CODE_DIGITS", "CODE_MAX_ATTEMPTS", "CODE_RESEND_INTERVAL", "OPS_VALIDITY", "DISASSOCIATION_CHECKS",
    "SWITCH_CHECKS", "eligibility_failures",
]


# ---------------------------------------------------------------------------------------------
# Reading sensitive data leaves a trace
# ---------------------------------------------------------------------------------------------

def record_reveal(actor, *, customers, fields=()) -> None:
    """Showing unmasked names, accounts, mobile numbers or e-mails is logged (who looked at which fields of
    whose details), on whichever page the eye was clicked."""
    detail = {"customers": [c.domain_id for c in customers][:100]}
    if fields:
        detail["fields"] = sorted(fields)
    with operation(actor, "customer.reveal", detail=detail):
        pass
