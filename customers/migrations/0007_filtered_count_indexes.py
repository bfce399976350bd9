"""An index for the filtered counts of the customer list (the unfiltered ones come from the counters of
0005_list_counts): a partner's active associations by type and association date, so the
`association_type` and `associated_on_begin/end` filters count index entries instead of scanning every
association. Names are found by the trigram indexes (0006), account managers by their foreign key.

Plain SQL (both databases support partial indexes) outside the model state, as the triggers are; a
later migration that remakes the table on SQLite must create it again.
"""

from django.db import migrations

NAME = "customers_association_active_type"


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0006_trigram_search'),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON customers_association (partner_id, association_type, associated_on) "
            "WHERE ended_on IS NULL",
            f"DROP INDEX IF EXISTS {NAME}",
        ),
    ]
