"""Consumption and bills.

**Usage records** (资源详单) come in from the cloud's metering — the ingestion endpoint, a file import, or the
demo generator — each with the source's `record_id`, which is unique: the same record sent twice is stored
once. A new record waits — it has a `UsageWaiting` row — until the rating run prices it (a fee record, one
to one) or fails it (`error_code`); its status (NEW, RATED, FAILED) is read from those, never stored, so
rating writes nothing to the usage table (see `UsageWaiting`).

**Fee records** (消费记录 / 流水账单) are what a customer was charged: one per rated usage record (bill type 5),
per paid order line (1 new, 2 renewal, 8 auto-renewal, 3 change), per refunded line (4), per adjustment. A
usage record is rated at most once: `FeeRecord.usage_record` is a OneToOneField. An order line and a refund
item likewise (`source_ref` unique per `bill_type` family). Money on a fee record is in fen:

    official_amount = discount_amount + erase_amount + consume_amount
    consume_amount  = coupon_amount + flexipurchase_coupon_amount + cash_amount + debt_amount + writeoff_amount

`erase_amount` (抹零) is what lies below a fen of the exact rated amount: consumption is charged truncated
to the fen, as Huawei's bills do. `debt_amount` is what no balance covered (欠费); when the customer pays its
arrears, the part paid moves from `debt_amount` to `writeoff_amount` (欠费核销) and the record becomes PAID.

A fee record lands in `bill_cycle`, the Asia/Shanghai month it was consumed in — unless that month is
closed already; then it lands in the first open month and is marked `is_adjustment`. `association` is the
customer's association when it consumed (`partner` repeats its partner for the indexes): the partner that
sees the record in 客户消费, even after the customer left it.

**Resource packages** (资源包) pay usage before any money: a package covers the usage of one usage type of one
resource type in one region, `original_amount` per reset cycle (monthly when resettable) or once.

**Month close** (月结) turns a month's fee records into `CustomerMonthlySum` rows (per customer, partner of
the association, service type, resource type, charging mode and kind) and one `PartnerBill` per partner; the
`BillingPeriod` row of the month goes from OPEN to CLOSED in the same transaction, so a second close does
nothing and a closed month's sums never change.

The models by area: usage.py (usage records, the rating queue), fees.py (billing periods, fee records, resource
packages and their use), sums.py (monthly sums, running sums, 伙伴账单, low-balance settings and state),
fields.py (the column shapes and ids they share).
"""

from .fees import BillingPeriod, FeeRecord, PackageUse, ResourcePackage
from .fields import CYCLE, MONEY, REFUND_TYPES, USAGE, new_record_id
from .sums import CustomerMonthlySum, LowBalanceSetting, LowBalanceState, PartnerBill, RunningSum
from .usage import UsageRecord, UsageWaiting

__all__ = ["new_record_id", "BillingPeriod", "UsageRecord", "UsageWaiting", "FeeRecord", "ResourcePackage",
           "PackageUse", "CustomerMonthlySum", "RunningSum", "PartnerBill", "LowBalanceSetting", "LowBalanceState",
           "MONEY", "USAGE", "CYCLE", "REFUND_TYPES"]
