"""`python manage.py verify_counts [--fix]`: recompute every list counter from the rows and compare.

Exits non-zero on any difference (like verify_ledger): a counter that is not the number of rows it
counts, rows without their counter, or a counted table whose triggers are missing (a later SQLite
migration that remade the table) or, on PostgreSQL, disabled. With `--fix` the counters are set to the
recomputed numbers (under a lock that holds the counters still meanwhile); missing triggers are not
repaired — a migration must create them again.

The counted lists are those declared next to each app's selectors (`partnercenter.api.pagination
.CountedList`); the selectors modules are imported to find them.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import autodiscover_modules

from partnercenter.api.pagination import COUNTED_LISTS
from partnercenter.migrations._counting import PENDING, trigger_names
from partnercenter.models import ListCount


def existing_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def stored_counts(connection, names) -> dict[tuple[str, int, int], int]:
    """{(list, partner id, scope): count} as a reader sees them (on PostgreSQL with this transaction's
    own pending changes, which fold in at its COMMIT)."""
    marks = ", ".join(["%s"] * len(names))
    sql = f'SELECT list_name, partner_id, scope, "count" FROM partnercenter_listcount WHERE list_name IN ({marks})'
    params = list(names)
    if connection.vendor == "postgresql":
        sql = (f"SELECT list_name, partner_id, scope, SUM(n) FROM ({sql} UNION ALL SELECT list_name, partner_id, "
               f"scope, delta FROM {PENDING} WHERE list_name IN ({marks})) AS c(list_name, partner_id, scope, n) "
               f"GROUP BY list_name, partner_id, scope")
        params *= 2
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(name, partner, scope): int(n) for name, partner, scope, n in cursor.fetchall()}


class Command(BaseCommand):
    help = "Recompute every list counter from its rows; fail on any difference (--fix sets them right)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="set every wrong counter to its recomputed value")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, fix=False, database=DEFAULT_DB_ALIAS, **options):
        autodiscover_modules("selectors")
        connection = connections[database]
        lists = dict(sorted(COUNTED_LISTS.items()))
        postgresql = connection.vendor == "postgresql"
        fresh = not connection.in_atomic_block
        with transaction.atomic(using=database):
            if postgresql and fresh:
                # One snapshot for the recount and the counters, so concurrent writers do not show up as
                # differences; --fix first holds the counters still (folds wait for it).
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    if fix:
                        cursor.execute("LOCK TABLE partnercenter_listcount IN SHARE ROW EXCLUSIVE MODE")
            problems, wrong = self.compare(connection, lists)
            if fix and wrong:
                self.repair(connection, lists, database)
        for problem in problems:
            self.stderr.write(problem)
        if fix and wrong:
            self.stdout.write(self.style.WARNING(f"Fixed {len(wrong)} counter(s)."))
        unfixed = [p for p in problems if not (fix and p.startswith("counter "))]
        if unfixed:
            raise CommandError(f"{len(unfixed)} list count difference(s)")
        counters = ListCount.objects.using(database).count()
        self.stdout.write(self.style.SUCCESS(
            f"List counts verified: {len(lists)} lists ({', '.join(lists)}), {counters} counters."))

    def compare(self, connection, lists):
        problems, wrong = [], {}
        triggers = existing_triggers(connection)
        for name, counted_list in lists.items():
            table = counted_list.model._meta.db_table
            missing = [trigger for trigger in trigger_names(table) if trigger not in triggers]
            if missing:
                problems.append(f"table {table} ({name}): triggers missing or disabled: {', '.join(missing)}")
        stored = stored_counts(connection, list(lists))
        for name, counted_list in lists.items():
            rows = counted_list.recount(using=connection.alias)
            keys = set(rows) | {(partner, scope) for list_name, partner, scope in stored if list_name == name}
            for partner, scope in sorted(keys):
                expected, found = rows.get((partner, scope), 0), stored.get((name, partner, scope), 0)
                if expected != found:
                    problems.append(f"counter {name} partner {partner} scope {scope}: stored {found}, rows {expected}")
                    wrong[(name, partner, scope)] = expected
        return problems, wrong

    def repair(self, connection, lists, database):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # this transaction's own pending changes: replaced by the fix
                cursor.execute(f"DELETE FROM {PENDING} WHERE xid = txid_current()")
        _problems, wrong = self.compare(connection, lists)
        for (name, partner, scope), expected in wrong.items():
            ListCount.objects.using(database).update_or_create(
                partner_id=partner, list_name=name, scope=scope, defaults={"count": expected})
