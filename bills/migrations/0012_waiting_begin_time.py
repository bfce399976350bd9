# The rating queue copies the record's begin_time (as it copies its customer): the claim reads the months to lock
# and the packages' window from the queue rows alone. Added empty, filled from the usage records (a row whose record
# is missing is dropped, as the claim dropped it), then required.

from django.db import migrations, models

_FILL = """
UPDATE bills_usagewaiting SET begin_time = (
    SELECT u.begin_time FROM bills_usagerecord u WHERE u.id = bills_usagewaiting.usage_record_id)"""


class Migration(migrations.Migration):

    dependencies = [
        ('bills', '0011_waiting_keyed_by_customer_and_record'),
    ]

    operations = [
        migrations.AddField(
            model_name='usagewaiting',
            name='begin_time',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(_FILL, migrations.RunSQL.noop),
        migrations.RunSQL("DELETE FROM bills_usagewaiting WHERE begin_time IS NULL", migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='usagewaiting',
            name='begin_time',
            field=models.DateTimeField(),
        ),
    ]
