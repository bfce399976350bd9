# The rating queue keyed by (customer, record) alone: the (customer, record) index the claim walks becomes the primary
# key and the primary key on the record alone goes — one index entry per queued record instead of two (ingest of 1M
# records 3 s faster, bench/README.md). Django cannot alter a primary key into a composite one: the state changes
# as makemigrations writes it, the tables by hand (PostgreSQL: the keys swapped; SQLite: the table rebuilt).

import django.db.models.deletion
from django.db import migrations, models

_POSTGRESQL = {
    "forwards": ["ALTER TABLE bills_usagewaiting DROP CONSTRAINT bills_usagewaiting_pkey",
                 "DROP INDEX usage_waiting_customer",
                 "ALTER TABLE bills_usagewaiting ADD CONSTRAINT bills_usagewaiting_pkey "
                 "PRIMARY KEY (customer_id, usage_record_id)"],
    "backwards": ["ALTER TABLE bills_usagewaiting DROP CONSTRAINT bills_usagewaiting_pkey",
                  "ALTER TABLE bills_usagewaiting ADD CONSTRAINT bills_usagewaiting_pkey PRIMARY KEY (usage_record_id)",
                  "CREATE INDEX usage_waiting_customer ON bills_usagewaiting (customer_id, usage_record_id)"],
}


def _sqlite(key):
    return ['CREATE TABLE "bills_usagewaiting__new" ("usage_record_id" bigint NOT NULL '
            + ('PRIMARY KEY, "customer_id" bigint NOT NULL)' if key == "record" else
               ', "customer_id" bigint NOT NULL, PRIMARY KEY ("customer_id", "usage_record_id"))'),
            'INSERT INTO "bills_usagewaiting__new" (usage_record_id, customer_id) '
            'SELECT usage_record_id, customer_id FROM "bills_usagewaiting"',
            'DROP TABLE "bills_usagewaiting"',
            'ALTER TABLE "bills_usagewaiting__new" RENAME TO "bills_usagewaiting"',
            *(['CREATE INDEX "usage_waiting_customer" ON "bills_usagewaiting" ("customer_id", "usage_record_id")']
              if key == "record" else [])]


def _run(direction):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = _POSTGRESQL[direction]
        elif vendor == "sqlite":
            statements = _sqlite("pair" if direction == "forwards" else "record")
        else:
            raise NotImplementedError(f"bills 0011: no SQL for {vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('bills', '0010_usage_foreign_keys_immediate'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='usagewaiting',
                    name='usage_waiting_customer',
                ),
                migrations.AddField(
                    model_name='usagewaiting',
                    name='pk',
                    field=models.CompositePrimaryKey('customer', 'usage_record', blank=True, editable=False,
                                                     primary_key=True, serialize=False),
                ),
                migrations.AlterField(
                    model_name='usagewaiting',
                    name='usage_record',
                    field=models.ForeignKey(db_constraint=False, db_index=False,
                                            on_delete=django.db.models.deletion.DO_NOTHING, related_name='waiting',
                                            to='bills.usagerecord'),
                ),
            ],
            database_operations=[migrations.RunPython(_run("forwards"), _run("backwards"))],
        ),
    ]
