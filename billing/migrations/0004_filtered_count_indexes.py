"""Indexes for the filtered counts of 调账记录 and 收支明细 (the unfiltered ones come from the counters of
0003_list_counts): a filter by type counts the matching index entries of the partner instead of
scanning every row of the table. The date filters already have (partner, created_at); a customer,
reseller or transaction id has its own index.

Plain SQL (both databases) outside the model state, as the triggers are; a later migration that remakes
the table on SQLite must create them again.
"""

from django.db import migrations

INDEXES = {
    "billing_adjustment_partner_type": "billing_adjustment (partner_id, operation_type, created_at)",
    "billing_ledgerentry_partner_trade": "billing_ledgerentry (partner_id, trade_type, created_at)",
}


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_list_counts'),
    ]

    operations = [
        migrations.RunSQL(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {definition}" for name, definition in INDEXES.items()],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
