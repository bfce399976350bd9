# The usage table's foreign keys (customer, unit) checked at the end of each statement (NOT DEFERRABLE) rather than at
# COMMIT (Django's DEFERRABLE INITIALLY DEFERRED), as 0005 made the fee table's: the same checks, without a queued
# event per stored record — an ingest batch of 1,000 records 6 ms faster (bench/README.md, bench/metering.py).
# PostgreSQL only; tests/bills/test_ingest_pg.py checks it.

from django.db import migrations

_ALTER = """
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'bills_usagerecord'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE bills_usagerecord ALTER CONSTRAINT %%I %s', c.conname);
    END LOOP;
END $$"""


def _alter(clause):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_ALTER % clause, params=None)  # (no parameters: format()'s %I stays)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('bills', '0009_association_partner_key'),
    ]

    operations = [
        migrations.RunPython(_alter("NOT DEFERRABLE"), _alter("DEFERRABLE INITIALLY DEFERRED")),
    ]
