"""The order list's total without a COUNT (rule 7): a partner's orders (订单管理), kept by triggers
(partnercenter/migrations/_counting.py). trade.selectors.ORDERS reads it."""

from django.db import migrations

from partnercenter.migrations._counting import Counter, CountRows


class Migration(migrations.Migration):

    dependencies = [
        ('trade', '0001_initial'),
        ('partnercenter', '0003_list_counts'),
    ]

    operations = [
        CountRows("trade_order", [Counter("orders")], moved_by=["partner_id"]),
    ]
