"""The permission catalogue: every right a role can grant, in one place.

A role is a named set of these codes; a member holds several roles. Pages, navigation and the API
ask `actor.has_perm(code)`. The catalogue is data in code (not a table) so a new permission is one
line here and a reviewer sees every right in the product at once.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

__all__ = ["Permission", "CATALOGUE", "ALL_CODES", "label_for", "grouped"]


@dataclass(frozen=True)
class Permission:
    code: str
    label: str
    group: str
    distributor_only: bool = False


_SALES = _("Sales")
_ORG = _("Organization")
_OTHER = _("Account")

CATALOGUE: tuple[Permission, ...] = (
    Permission("customers.view", _("View assigned customers"), _SALES),
    Permission("customers.view_all", _("View all customers (not only assigned ones)"), _SALES),
    Permission("customers.manage", _("Register and associate customers"), _SALES),
    Permission("customers.assign_manager", _("Assign account managers"), _SALES),
    Permission("expansion.view", _("View expansion: invitations, enterprise directory, leads, opportunities, tasks"),
               _SALES),
    Permission("expansion.manage", _("Invite, report prospects, work leads and sales tasks"), _SALES),
    Permission("opportunities.manage", _("Accept, reject, update and register opportunities"), _SALES),
    Permission("expansion.entrust", _("Entrust the customers to the distributor (cloud resellers)"), _SALES),
    Permission("billing.view", _("View billing"), _SALES),
    Permission("funds.allocate", _("Allocate and reclaim funds"), _SALES),
    Permission("funds.recharge", _("Recharge"), _SALES),
    Permission("vouchers.view", _("View vouchers"), _SALES),
    Permission("vouchers.issue", _("Issue and reclaim vouchers"), _SALES),
    Permission("orders.view", _("View customer orders"), _SALES),
    Permission("orders.place", _("Place orders on customers' behalf"), _SALES),
    Permission("orders.pay", _("Pay customers' orders from the partner account"), _SALES),
    Permission("orders.adjust_price", _("Adjust marketplace order prices"), _SALES),
    Permission("discounts.manage", _("Set customer discounts"), _SALES),
    Permission("incentives.view", _("View incentives: policies, details, statements and the rebate account"),
               _SALES),
    Permission("incentives.reconcile", _("Confirm or dispute incentive statements"), _SALES),
    Permission("incentives.withdraw", _("Withdraw the incentive rebate"), _SALES),
    Permission("resellers.view", _("View cloud resellers"), _SALES, distributor_only=True),
    Permission("resellers.manage", _("Manage cloud resellers"), _SALES, distributor_only=True),
    Permission("benefits.view", _("View benefits (test coupons, badges)"), _OTHER),
    Permission("benefits.apply", _("Apply for test coupons and project specialists"), _OTHER),
    Permission("incentives.fh", _("Apply for and manage the FH staff incentive"), _OTHER),
    Permission("programs.view", _("View programmes, paths and agreements"), _OTHER),
    Permission("programs.manage", _("Apply to programmes, sign agreements, submit reviews and certification"),
               _OTHER),
    Permission("org.view_members", _("View members"), _ORG),
    Permission("org.manage_members", _("Invite and manage members"), _ORG),
    Permission("org.manage_roles", _("Create and change roles"), _ORG),
    Permission("org.view_oplog", _("View operation logs"), _ORG),
    Permission("org.settings", _("Change security settings"), _ORG),
    Permission("org.webhooks", _("Manage webhooks"), _ORG),
    Permission("credentials.manage", _("Manage access keys"), _OTHER),
)

ALL_CODES = frozenset(p.code for p in CATALOGUE)
_BY_CODE = {p.code: p for p in CATALOGUE}


def label_for(code: str) -> str:
    permission = _BY_CODE.get(code)
    return str(permission.label) if permission else code


def grouped(*, distributor: bool) -> list[tuple[str, list[Permission]]]:
    """The catalogue grouped for a role form; distributor-only rights only for distributors."""
    groups: dict[str, list[Permission]] = {}
    for permission in CATALOGUE:
        if permission.distributor_only and not distributor:
            continue
        groups.setdefault(str(permission.group), []).append(permission)
    return list(groups.items())
