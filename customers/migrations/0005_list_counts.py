"""The customer list's total without a COUNT (rule 7): active associations per partner, and per account
manager for an account manager's scope, kept by triggers (partnercenter/migrations/_counting.py)."""

from django.db import migrations

from partnercenter.migrations._counting import Counter, CountRows


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_new_customer_tags'),
        ('partnercenter', '0003_list_counts'),
    ]

    operations = [
        CountRows(
            "customers_association",
            [
                Counter("customers", condition="{r}.ended_on IS NULL"),
                Counter("customers.manager", scope="{r}.account_manager_id",
                        condition="{r}.ended_on IS NULL AND {r}.account_manager_id IS NOT NULL"),
            ],
            moved_by=["partner_id", "ended_on", "account_manager_id"],
        ),
    ]
