# An association's (id, partner) unique: the key fee records name their association and partner by, one
# composite foreign key (bills 0009). PostgreSQL only, like that key: on SQLite, Django adds a constraint by
# remaking the table, which would drop the list counters' triggers on it (partnercenter/migrations/_counting.py)
# for a key nothing there references. The model state has the constraint everywhere.

from django.db import migrations, models

_ADD = "ALTER TABLE customers_association ADD CONSTRAINT association_id_partner UNIQUE (id, partner_id)"
_DROP = "ALTER TABLE customers_association DROP CONSTRAINT association_id_partner"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0009_customer_has_special_contract_customer_is_postpaid'),
        ('partnercenter', '0006_workdays_delisted'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name='association',
                    constraint=models.UniqueConstraint(fields=('id', 'partner'), name='association_id_partner'),
                ),
            ],
            database_operations=[migrations.RunPython(_run(_ADD), _run(_DROP))],
        ),
    ]
