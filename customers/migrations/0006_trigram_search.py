"""Trigram indexes (pg_trgm) for the contains-searches of the customer list — its page and
`POST /v2/partners/sub-customers/query`: `account_name` (domain_name), `customer` (real_name) and
`label`, so a search is an index lookup instead of a scan of every customer.

Django's `icontains` on PostgreSQL compares `UPPER(column::text) LIKE UPPER(%s)`, so the two
case-insensitive indexes are on that expression; `label` is matched as it is (`contains`: LIKE). A
pattern shorter than three characters has no trigram to look up: PostgreSQL then scans, as before.

PostgreSQL only: `CREATE EXTENSION pg_trgm` needs a role allowed to create it (pg_trgm is a trusted
extension since PostgreSQL 13, so the owner of the database may). On SQLite — the embedded default — this
migration does nothing and the searches scan the customers table, which is fine at its sizes.
"""

from django.db import migrations

INDEXES = {
    "customers_customer_domain_name_trgm": "customers_customer USING gin ((UPPER(domain_name::text)) gin_trgm_ops)",
    "customers_customer_real_name_trgm": "customers_customer USING gin ((UPPER(real_name::text)) gin_trgm_ops)",
    "customers_association_label_trgm": "customers_association USING gin (label gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0005_list_counts'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
