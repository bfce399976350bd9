"""The totals of 调账记录 and 收支明细 without a COUNT (rule 7): adjustments and the partner side of the
ledger per partner, kept by triggers (partnercenter/migrations/_counting.py)."""

from django.db import migrations

from partnercenter.migrations._counting import Counter, CountRows


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0002_idempotency_key_per_access_key'),
        ('partnercenter', '0003_list_counts'),
    ]

    operations = [
        CountRows("billing_adjustment", [Counter("adjustments")], moved_by=["partner_id"]),
        CountRows("billing_ledgerentry", [Counter("ledger")], moved_by=["partner_id"]),
    ]
