"""收支明细's counter without the rebate account (返点账户, issue 17): the partner's ledger shows the entries of its
账户余额 (cash, credit, allocated; arrears for completeness), never a rebate entry (`balance_type = 'rebate'`: an
incentive credited, a withdrawal, a withdrawal returned — the 返点账户 page lists those), so its counter counts
only those. The triggers of 0003_list_counts are dropped and made again with the condition, and the counters
refilled from the rows (partnercenter/migrations/_counting.py: "change what a counter counts with a new
migration"). billing.selectors.LEDGER declares the same condition (`manage.py verify_counts` compares them).
"""

from django.db import migrations
from django.db.migrations.operations.base import Operation

from partnercenter.migrations._counting import Counter, CountRows

TABLE = "billing_ledgerentry"
BEFORE = CountRows(TABLE, [Counter("ledger")], moved_by=["partner_id"])
AFTER = CountRows(TABLE, [Counter("ledger", "{r}.balance_type IN ('cash', 'credit', 'allocated', 'arrears')")],
                  moved_by=["partner_id", "balance_type"])


class CountAgain(Operation):
    """Drop one set of counting triggers (and its counters) and create another (refilled from the rows)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, old, new):
        self.old, self.new = old, new

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self.old.database_backwards(app_label, schema_editor, from_state, to_state)
        self.new.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self.new.database_backwards(app_label, schema_editor, from_state, to_state)
        self.old.database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Count the partner ledger (收支明细) without the rebate account's entries"


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0008_partneraccount_rebate_balance_and_more'),
    ]

    operations = [CountAgain(BEFORE, AFTER)]
