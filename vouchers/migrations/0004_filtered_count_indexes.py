"""Indexes for the filtered counts of 已发放代金券 (by status) and its 操作记录 (by operation), so a
filtered list counts the partner's matching index entries instead of scanning the table (the
unfiltered totals come from the counters of 0003_list_counts; a customer has its foreign-key index). The
records get (partner, created_at) as coupons have it: their page, newest first, and a date range.

Plain SQL (both databases) outside the model state, as the triggers are; a later migration that remakes
the table on SQLite must create them again.
"""

from django.db import migrations

INDEXES = {
    "vouchers_coupon_partner_status": "vouchers_coupon (partner_id, status, created_at)",
    "vouchers_couponrecord_partner_op": "vouchers_couponrecord (partner_id, operation_type, created_at)",
    "vouchers_couponrecord_partner_time": "vouchers_couponrecord (partner_id, created_at, id)",
}


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0003_list_counts'),
    ]

    operations = [
        migrations.RunSQL(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {definition}" for name, definition in INDEXES.items()],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
