"""Every write of subscriptions, in one place to import from (each lives in the module of its area):

- renewal.py — 续订: a renewal order for main resources and their subordinates, paid like any order;
- autorenew.py — 自动续费 set/cancel, the renew settings (renew/config), what happens at expiry, 到期转按需
  set/cancel, and the scheduler's auto-renewal run;
- unsubscribing.py — 退订 and 即时转按需, with their refunds (refunds.py has the rule);
- lifecycle.py — the scheduler's walk through expiry (grace → retention → release) and the expiry notices.
"""

from .autorenew import (cancel_auto_renew, run_due, set_auto_renew, set_expire_policy, set_renew_config,
                        set_to_on_demand)
from .lifecycle import advance, warn_expiring
from .renewal import renew
from .unsubscribing import preview, to_on_demand_instantly, unsubscribe

__all__ = ["renew", "set_auto_renew", "cancel_auto_renew", "set_renew_config", "set_expire_policy",
           "set_to_on_demand", "run_due", "unsubscribe", "preview", "to_on_demand_instantly", "advance",
           "warn_expiring"]
