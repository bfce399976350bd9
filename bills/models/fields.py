"""What the bills models share: money and usage columns, the month's key, new record ids."""

import uuid

from .. import choices

__all__ = ["MONEY", "USAGE", "CYCLE", "REFUND_TYPES", "new_record_id"]

MONEY = {"max_digits": 18, "decimal_places": 2}
USAGE = {"max_digits": 24, "decimal_places": 6}
CYCLE = {"max_length": 7}  # "YYYY-MM", Asia/Shanghai

REFUND_TYPES = (choices.BillType.REFUND, choices.BillType.TO_ON_DEMAND_REFUND)


def new_record_id() -> str:
    return uuid.uuid4().hex
