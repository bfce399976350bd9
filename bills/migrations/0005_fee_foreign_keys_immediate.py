# The fee table's foreign keys checked at the end of each statement (NOT DEFERRABLE) rather than at COMMIT
# (Django's DEFERRABLE INITIALLY DEFERRED): the same checks, measured cheaper (bench/README.md, bench/metering.py).
# PostgreSQL only; bills/models.py's FeeRecord docstring says why, tests/bills/test_rating_pg.py checks it.

from django.db import migrations

_ALTER = """
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'bills_feerecord'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE bills_feerecord ALTER CONSTRAINT %%I %s', c.conname);
    END LOOP;
END $$"""


def _alter(clause):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_ALTER % clause, params=None)  # (no parameters: format()'s %I stays)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('bills', '0004_lean_usage_and_fees'),
    ]

    operations = [
        migrations.RunPython(_alter("NOT DEFERRABLE"), _alter("DEFERRABLE INITIALLY DEFERRED")),
    ]
