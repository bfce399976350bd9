"""The rating queue names each waiting record's customer (UsageWaiting.customer), indexed with the record: the
rating claims a customer's waiting records together (bills/rating.py's `rate_pending`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bills", "0006_running_sums"),
    ]

    operations = [
        migrations.AddField(
            model_name="usagewaiting",
            name="customer",
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="customers.customer"),
        ),
        migrations.RunSQL(
            "UPDATE bills_usagewaiting SET customer_id = "
            "(SELECT u.customer_id FROM bills_usagerecord u WHERE u.id = bills_usagewaiting.usage_record_id)",
            migrations.RunSQL.noop),
        migrations.RunSQL("DELETE FROM bills_usagewaiting WHERE customer_id IS NULL", migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="usagewaiting",
            name="customer",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="customers.customer"),
        ),
        migrations.AddIndex(
            model_name="usagewaiting",
            index=models.Index(fields=["customer", "usage_record"], name="usage_waiting_customer"),
        ),
    ]
