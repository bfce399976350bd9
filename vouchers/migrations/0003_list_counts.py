"""The totals of 已发放代金券 and its 操作记录 without a COUNT (rule 7): coupons and coupon records per
issuing partner, kept by triggers (partnercenter/migrations/_counting.py)."""

from django.db import migrations

from partnercenter.migrations._counting import Counter, CountRows


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0002_designated_customer'),
        ('partnercenter', '0003_list_counts'),
    ]

    operations = [
        CountRows("vouchers_coupon", [Counter("coupons")], moved_by=["partner_id"]),
        CountRows("vouchers_couponrecord", [Counter("coupon_records")], moved_by=["partner_id"]),
    ]
