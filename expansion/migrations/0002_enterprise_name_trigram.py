"""企业百科: a GIN trigram index (pg_trgm) on the enterprise name, for the name search of the directory
(expansion.selectors_directory): a query of three characters or more is `name__icontains`, which Django
writes `UPPER("name"::text) LIKE UPPER(%s)` on PostgreSQL, so the index is on that expression (as
customers 0006 does for the customer list). CJK names have trigrams when the database's ctype classifies
them as letters (a UTF-8 ctype such as C.UTF-8 or zh_CN.UTF-8 does).

PostgreSQL only (`CREATE EXTENSION pg_trgm` needs a role allowed to create it; pg_trgm is a trusted extension
since PostgreSQL 13, so the database owner may). On SQLite — the embedded default — this migration does
nothing: the search falls back to the name index (see selectors_directory).
"""

from django.db import migrations

INDEX = "expansion_enterprise_name_trgm"
DEFINITION = "expansion_enterprise USING gin ((UPPER(name::text)) gin_trgm_ops)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("expansion", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
