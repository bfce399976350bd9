"""The 伙伴中心 and 费用中心 menus as data: one permission per item, filtered per actor."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["Item", "PARTNER_MENU", "CUSTOMER_MENU", "menu_for", "context_processor"]


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str = ""
    permission: str | None = None
    kwargs: dict = field(default_factory=dict)
    children: tuple["Item", ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs) if self.url_name else ""


PARTNER_MENU: tuple[Item, ...] = (
    Item(_("Home"), "home"),
    Item(_("Sales"), "sales", children=(
        Item(_("Customers"), "customers:list", "customers.view"),
        Item(_("Expiring resources"), "subscriptions:expiring", "customers.view"),
        Item(_("Order management"), "trade:orders", "orders.view"),
        Item(_("Customer discounts"), "trade:discounts", "discounts.manage"),
        Item(_("Price adjustment"), "trade:adjustments", "orders.adjust_price"),
        Item(_("Expansion"), "expansion:invitations", "expansion.view"),
        Item(_("Billing"), "billing:overview", "billing.view"),
        Item(_("Partner bill"), "bills:partner_bill", "billing.view"),
        Item(pgettext_lazy("page", "Customer consumption"), "bills:consumption", "billing.view"),
        Item(_("Low-balance alerts"), "bills:thresholds", "funds.allocate"),
        Item(_("Vouchers"), "vouchers:quotas", "vouchers.view"),
        Item(_("Incentives"), "incentives:details", "incentives.view"),
        Item(_("Cloud resellers"), "resellers", "resellers.view"),
    )),
    Item(_("Benefits"), "benefits", children=(
        Item(_("Test coupons"), "programs:test_coupons", "benefits.view"),
        Item(_("Exam coupons"), "programs:exam_coupons"),
        Item(_("Capability badges"), "programs:badges", "benefits.view"),
        Item(_("Project specialists"), "programs:specialists", "benefits.view"),
        Item(_("FH staff incentive"), "incentives:fh", "incentives.fh"),
    )),
    Item(_("Programmes"), "programmes", children=(
        Item(_("Partner programmes"), "programs:programs", "programs.view"),
        Item(_("Development paths"), "programs:paths", "programs.view"),
        Item(_("Annual reviews"), "programs:reviews", "programs.view"),
        Item(_("Agreements"), "programs:agreements", "programs.view"),
        Item(_("Business information certification"), "programs:certification", "programs.view"),
    )),
    Item(_("Organization"), "organization", children=(
        Item(_("Members"), "members", "org.view_members"),
        Item(_("Roles"), "roles", "org.manage_roles"),
        Item(_("Operation logs"), "operation_logs", "org.view_oplog"),
        Item(_("Security settings"), "partner_security", "org.settings"),
        Item(_("Webhooks"), "webhooks:list", "org.webhooks"),
    )),
    Item(_("My credentials"), "credentials", "credentials.manage"),
)

CUSTOMER_MENU: tuple[Item, ...] = (
    Item(_("Overview"), "fee_center"),
    Item(_("Orders"), "fee_center_orders"),
    Item(_("Renewals"), "fee_center_renewals"),
    Item(_("Unsubscriptions"), "fee_center_unsubscribe"),
    Item(_("Bills"), "fee_center_bills"),
    Item(_("Resource packages"), "fee_center_bills_packages"),
    Item(_("Balance"), "fee_center_bills_balance"),
    Item(_("Coupons"), "fee_center_coupons"),
    Item(_("Notifications"), "fee_center_notifications"),
    Item(_("Become a cloud reseller"), "fee_center_reseller"),
    Item(_("My credentials"), "credentials"),
)


def _visible(item: Item, actor) -> Item | None:
    if item.children:
        children = tuple(c for c in (_visible(child, actor) for child in item.children) if c)
        if not children:
            return None
        return Item(item.label, item.url_name, item.permission, item.kwargs, children)
    if item.permission and not actor.has_perm(item.permission):
        return None
    return item


def menu_for(actor, menu=None) -> list[Item]:
    if menu is None:
        menu = PARTNER_MENU if actor.is_partner else CUSTOMER_MENU if actor.is_customer else ()
    return [item for item in (_visible(i, actor) for i in menu) if item]


def context_processor(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    return {"actor": actor, "menu": menu_for(actor)}
