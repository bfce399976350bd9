"""What the partner's subscription pages share (subscriptions/views.py, and the yearly/monthly rows of the
customer's resources page that customers/views.py asks this app for): a resource's life as a page shows it,
whether the partner may act for the customer, and the CSV form of an export.

A resource's life (its state through expiry, subscriptions/lifecycle.py has the rules): in use until
`expire_time`; then — unless renewed, switched or released at expiry — the grace period (宽限期, still
usable) until expire_time + SUBSCRIPTION_GRACE_PERIOD, the retention period (保留期, frozen) until
expire_time + GRACE + SUBSCRIPTION_RETENTION_PERIOD (policies 4 and 5 freeze at expiry, skip the grace
period: until expire_time + RETENTION), then released. What happens at expiry is its auto-renewal or its
`expire_policy`.

The partner acts for a customer (renew, unsubscribe) with `orders.place` and the customer's valid 代客运维
grant (customers.services.ordering_authorization, the rule of 代客下单); the pages offer the actions only
then, and the services decide again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from customers.choices import AssociationType, ChargingMode, OpsStatus, PeriodStatus
from customers.selectors import customer_for, ops_authorizations_for
from customers.services import ordering_authorization
from customers.views import register_resource_rows
from partnercenter.errors import MESSAGES
from partnercenter.exports import csv_response

from . import selectors
from .choices import ExpirePolicy
from .errors import SubscriptionCodes

__all__ = ["Life", "life_of", "days_until",
           "Target", "for_action", "customer_refusal", "resource_refusal", "authorized_customers",
           "csv_response", "describe_period_resources"]

_MISSING = object()
_FREEZE_AT_EXPIRY = (ExpirePolicy.FREEZE, ExpirePolicy.RELEASE_FROM_RETENTION)

# state → (badge label, badge class: the order badges' colours, plus the state's own)
STATES = {
    PeriodStatus.IN_USE: ("in_use", gettext_lazy("In use"), "status-5"),
    PeriodStatus.EXPIRED: ("grace", gettext_lazy("Grace period"), "status-6"),
    PeriodStatus.FROZEN: ("retention", gettext_lazy("Retention period (frozen)"), "status-4"),
    PeriodStatus.CLOSED: ("released", gettext_lazy("Released"), "status-3"),
}


@dataclass
class Life:
    state: str               # in_use | grace | retention | released
    label: str
    css: str
    days_left: int | None    # calendar days until expiry (days_until); negative: expired that many days ago
    next_label: str          # what comes next: "Frozen on", "Released on" ("" in use or released)
    next_at: datetime | None
    at_expiry: str           # what happens at expiry
    auto_renewal: object = None
    expired: bool = False    # expire_time has passed (0 days left: expires or expired today)

    @property
    def expired_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def days_until(moment, now) -> int | None:
    """Calendar days (Asia/Shanghai) from `now` to `moment`, negative once past: a resource that expires on
    6 December has 5 days left all day on the 1st, whatever the hour, and 0 on the day itself — the rule of
    every page that shows days left, partner's and customer's."""
    if moment is None:
        return None
    return (timezone.localdate(moment) - timezone.localdate(now)).days


def _at_expiry(resource, auto_renewal) -> str:
    if auto_renewal is not None:
        period = auto_renewal.get_period_type_display()
        if not auto_renewal.times:
            return _("Renews automatically, one %(period)s at a time, until cancelled") % {"period": period}
        left = max(auto_renewal.times - auto_renewal.renewed, 0)
        return ngettext("Renews automatically, one %(period)s at a time: %(left)d renewal of %(times)d left",
                        "Renews automatically, one %(period)s at a time: %(left)d renewals of %(times)d left",
                        left) % {"period": period, "left": left, "times": auto_renewal.times}
    policy = resource.expire_policy if resource.expire_policy in ExpirePolicy.values else ExpirePolicy.GRACE
    label = str(ExpirePolicy(policy).label)
    return label[:1].upper() + label[1:]


def life_of(resource, now=None, auto_renewal=_MISSING) -> Life:
    """How a page shows a yearly/monthly resource's state. `auto_renewal`: its AutoRenewal or None (default:
    the one read with the resource, select_related("auto_renewal"))."""
    now = now or timezone.now()
    if auto_renewal is _MISSING:
        try:
            auto_renewal = resource.auto_renewal
        except ObjectDoesNotExist:
            auto_renewal = None
    state, label, css = STATES.get(resource.status, ("", resource.get_status_display(), ""))
    next_label, next_at = "", None
    expire = resource.expire_time
    if expire is not None and resource.status == PeriodStatus.EXPIRED:
        next_label, next_at = _("Frozen on"), expire + settings.SUBSCRIPTION_GRACE_PERIOD
    elif expire is not None and resource.status == PeriodStatus.FROZEN:
        grace = timedelta(0) if resource.expire_policy in _FREEZE_AT_EXPIRY else settings.SUBSCRIPTION_GRACE_PERIOD
        next_label, next_at = _("Released on"), expire + grace + settings.SUBSCRIPTION_RETENTION_PERIOD
    days = days_until(expire, now) if resource.status != PeriodStatus.CLOSED else None
    return Life(state=state, label=str(label), css=css, days_left=days, next_label=next_label, next_at=next_at,
                at_expiry=_at_expiry(resource, auto_renewal), auto_renewal=auto_renewal,
                expired=expire is not None and expire <= now)


# ---------------------------------------------------------------------------------------------
# Acting for the customer
# ---------------------------------------------------------------------------------------------

def customer_refusal(actor, customer) -> str:
    """Why the partner cannot act for this customer now ("" when it can). `customer` comes with its
    `active_associations` (customers.selectors.customer_for)."""
    if not actor.has_perm("orders.place"):
        return _("Ordering for customers is not among your permissions.")
    association = customer.active_associations[0]
    if association.association_type != AssociationType.RESALE:
        return _("Referral customers renew and unsubscribe their resources themselves, in the Billing Center.")
    if ordering_authorization(association) is None:
        return _("The customer has not authorized delegated operations (or the authorization expired): it renews "
                 "and unsubscribes in the Billing Center, or authorizes you first.")
    return ""


def resource_refusal(resource) -> str:
    """Why no one renews or unsubscribes this resource by itself ("" when it can be)."""
    if not resource.is_main_resource:
        return _("This is a subordinate resource of %(main)s: it is renewed and unsubscribed with its main "
                 "resource.") % {"main": resource.parent_resource_id}
    if resource.status == PeriodStatus.CLOSED:
        return str(MESSAGES[SubscriptionCodes.RELEASED])
    return ""


@dataclass
class Target:
    """A resource a partner page acts on for its customer: `allowed`, or `reason` why not."""

    resource: object
    customer: object
    reason: str
    life: Life

    @property
    def allowed(self) -> bool:
        return not self.reason


def for_action(actor, resource_id) -> Target:
    """The actor's yearly/monthly resource (a 404 for one it may not see), its customer (with its active
    association) and whether the partner may act on it for the customer."""
    resource = selectors.resource_for(actor, resource_id)
    customer = customer_for(actor, resource.customer.domain_id) if resource is not None else None
    if resource is None or customer is None:
        raise Http404
    reason = resource_refusal(resource) or customer_refusal(actor, customer)
    return Target(resource, customer, reason, life_of(resource))


def authorized_customers(actor, customers, now) -> set[int]:
    """The pks of `customers` (each with its prefetched `active_associations`) the partner may act for now:
    resale, with a valid 代客运维 grant — one statement for a page of them."""
    if not actor.has_perm("orders.place"):
        return set()
    resale = {c.pk for c in customers if getattr(c, "active_associations", None)
              and c.active_associations[0].association_type == AssociationType.RESALE}
    if not resale:
        return set()
    return set(ops_authorizations_for(actor).filter(customer__in=resale, status=OpsStatus.AUTHORIZED,
                                                    valid_until__gt=now).values_list("customer_id", flat=True))


# ---------------------------------------------------------------------------------------------
# The yearly/monthly rows of customers:resources
# ---------------------------------------------------------------------------------------------

def describe_period_resources(request, customer, rows) -> dict:
    """customers.views.register_resource_rows: each row's `life`, `parent_id` and `actionable` (renew and
    unsubscribe offered); the page's `period_actions` (the partner may act for this customer) or the reason
    why not. Two statements whatever the page holds (the auto-renewals, the grant)."""
    actor = request.actor
    now = timezone.now()
    renewals = selectors.auto_renewals_of(rows)
    # a member without orders.place is offered nothing, and told nothing about it
    reason = customer_refusal(actor, customer) if actor.has_perm("orders.place") else ""
    can_act = actor.has_perm("orders.place") and not reason
    for row in rows:
        row.life = life_of(row, now, renewals.get(row.pk))
        row.actionable = can_act and not resource_refusal(row)
    return {"period_actions": can_act, "period_reason": reason}


register_resource_rows(ChargingMode.PERIOD, describe_period_resources)


# ---------------------------------------------------------------------------------------------
# CSV exports
# ---------------------------------------------------------------------------------------------

