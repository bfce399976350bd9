"""What the subscription services hand back when they act on several resources at once.

A refusal that concerns one resource of a batch (renew, unsubscribe, to-on-demand) is a `Failure` row
— the endpoints have a per-row error list — while the other resources still proceed. A refusal of the
whole request (bad arguments, not authorized) is raised as a DomainError instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from trade.models import Order

__all__ = ["Failure", "RenewOutcome", "UnsubscribeOutcome", "InstantResult", "SUCCESS", "FAIL"]

SUCCESS = "SUCCESS"
FAIL = "FAIL"


@dataclass(frozen=True)
class Failure:
    """One resource that was refused: its resource id, the CBC code and the (translated) message."""

    resource_id: str
    code: str
    message: str


@dataclass
class RenewOutcome:
    """A renewal: the one order placed for the accepted resources (None when none was accepted), and the
    refused resources."""

    order: Order | None = None
    failures: list[Failure] = field(default_factory=list)


@dataclass
class UnsubscribeOutcome:
    """An unsubscription: the refund orders of the unsubscribed main resources (one per resource, or one per
    partner whose orders it refunds — subscriptions.unsubscribing "Whose refund"), and the refused resources."""

    orders: list[Order] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class InstantResult:
    """One row of to-on-demand/instantly: result "SUCCESS" with the order id, or "FAIL" with the code and
    message (code and message are "" on success)."""

    resource_id: str
    result: str
    order_id: str | None = None       # the first refund order (the wire's one order id)
    code: str = ""
    message: str = ""
    order_ids: tuple[str, ...] = ()   # every refund order, one per partner whose orders it refunds

    @property
    def ok(self) -> bool:
        return self.result == SUCCESS
