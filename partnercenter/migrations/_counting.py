"""List counters kept by database triggers (partnercenter.models.ListCount) — the SQL the migrations run.

Not a migration (the loader skips modules whose name starts with "_"); the apps' migrations import
`CountRows` from here to put triggers on their tables. Migrations are history: change what a counter
counts with a new migration (drop the triggers and create them again), never by editing one that ran.

How a write reaches the counter, so that any write path keeps it exact in its own transaction:

- SQLite (the embedded default: one writer at a time): AFTER INSERT / DELETE / UPDATE OF … row
  triggers change `partnercenter_listcount` directly: an upsert (`INSERT … ON CONFLICT DO UPDATE`,
  SQLite 3.24+) to count a row in, an UPDATE to count one out (so `flush`, which empties the tables
  with DELETEs in any order, never writes a counter for a partner it already deleted).
- PostgreSQL: a statement-level trigger on INSERT and on DELETE (with transition tables, so a bulk
  INSERT … SELECT of a million rows adds one row per partner, not a million) and a row-level trigger
  on UPDATE of the columns that move a row between counters (WHEN they changed) write the net change
  into `partnercenter_listcount_pending`, an append-only table that takes no lock anybody waits for.
  A deferred constraint trigger on that table folds the transaction's changes into the counters at
  COMMIT, in (partner, list, scope) order. So a counter row is the last lock a transaction takes and
  is held only while it commits: counters add no lock-order cycle to those of the services
  (customers/locks.py, billing/locks.py, vouchers/locks.py), and concurrent writers of one partner
  wait for each other only for the instant of a commit. A transaction's own pending changes are
  visible to itself only (MVCC), so a reader adds them (`CountedList.total`): it sees its own writes.

A table remade by a later SQLite migration (Django's way of altering a column there) loses its
triggers: `manage.py verify_counts` reports a counted table without them, and tests/core/test_counts.py
fails, so such a migration must create them again.
"""

from dataclasses import dataclass

from django.db.migrations.operations.base import Operation

__all__ = ["Counter", "CountRows", "CreatePendingCounts"]

COUNTS = "partnercenter_listcount"
PENDING = "partnercenter_listcount_pending"
UPSERT = ('ON CONFLICT (partner_id, list_name, scope) DO UPDATE SET "count" = {counts}."count" + excluded."count"')


@dataclass(frozen=True)
class Counter:
    """One list kept from a table: rows where `condition` holds, per `partner` column and `scope`.
    `condition` and `scope` are SQL over the row, written with `{r}` for it (`{r}.ended_on IS NULL`)."""

    list_name: str
    condition: str = "TRUE"
    scope: str = "0"
    partner: str = "partner_id"

    def rows(self, r: str, sign: int, source: str = "") -> str:
        """SELECT of (partner_id, list_name, scope, delta) for the row(s) `r` (a table alias with
        `source` = "FROM … r", or NEW/OLD of a row trigger)."""
        return (f"SELECT {r}.{self.partner} AS partner_id, CAST('{self.list_name}' AS varchar(32)) AS list_name, "
                f"CAST({self.scope.format(r=r)} AS bigint) AS scope, {sign} AS delta {source} "
                f"WHERE {r}.{self.partner} IS NOT NULL AND ({self.condition.format(r=r)})")


def trigger_names(table: str) -> list[str]:
    return [f"pc_count_{table}_{event}" for event in ("ins", "del", "upd")]


class CreatePendingCounts(Operation):
    """PostgreSQL only: the pending-changes table and the deferred trigger that folds them at COMMIT."""

    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in (
            f"""CREATE TABLE {PENDING} (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    xid bigint NOT NULL DEFAULT txid_current(),
                    partner_id bigint NOT NULL,
                    list_name varchar(32) NOT NULL,
                    scope bigint NOT NULL,
                    delta bigint NOT NULL)""",
            f"CREATE INDEX {PENDING}_xid ON {PENDING} (xid)",
            f"CREATE INDEX {PENDING}_key ON {PENDING} (partner_id, list_name, scope)",
            f"""CREATE FUNCTION pc_listcount_fold() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    WITH moved AS (
                        DELETE FROM {PENDING} WHERE xid = txid_current()
                        RETURNING partner_id, list_name, scope, delta)
                    INSERT INTO {COUNTS} AS c (partner_id, list_name, scope, "count")
                    SELECT partner_id, list_name, scope, SUM(delta) FROM moved
                    GROUP BY partner_id, list_name, scope HAVING SUM(delta) <> 0
                    ORDER BY partner_id, list_name, scope
                    {UPSERT.format(counts="c")};
                    RETURN NULL;
                END $$""",
            f"""CREATE CONSTRAINT TRIGGER pc_listcount_fold AFTER INSERT ON {PENDING}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pc_listcount_fold()""",
        ):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING}")
        schema_editor.execute("DROP FUNCTION IF EXISTS pc_listcount_fold()")

    def describe(self):
        return "Create the pending list-count changes (PostgreSQL)"


class CountRows(Operation):
    """Keep `counters` of `table` by triggers (both databases) and fill them from the rows there now.
    `moved_by`: the columns whose UPDATE can move a row from one counter to another (or in/out)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, table, counters, moved_by):
        self.table, self.counters, self.moved_by = table, list(counters), list(moved_by)

    def state_forwards(self, app_label, state):
        pass

    def describe(self):
        return f"Count {', '.join(c.list_name for c in self.counters)} on {self.table} by triggers"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        vendor = schema_editor.connection.vendor
        statements = self.postgresql() if vendor == "postgresql" else self.sqlite() if vendor == "sqlite" else None
        if statements is None:
            raise NotImplementedError(f"list counters have no triggers for {vendor}")
        for statement in [*statements, *self.fill()]:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        postgresql = schema_editor.connection.vendor == "postgresql"
        for name in trigger_names(self.table):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {self.table}" if postgresql else ""))
            if postgresql:
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        lists = ", ".join(f"'{c.list_name}'" for c in self.counters)
        schema_editor.execute(f"DELETE FROM {COUNTS} WHERE list_name IN ({lists})")

    # --- the SQL ---------------------------------------------------------------------------------

    def _changed(self, distinct: str) -> str:
        return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in self.moved_by)

    def postgresql(self) -> list[str]:
        ins, dele, upd = trigger_names(self.table)

        def function(name, selects, having=""):
            union = "\n                        UNION ALL ".join(selects)
            return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO {PENDING} (partner_id, list_name, scope, delta)
                    SELECT partner_id, list_name, scope, SUM(delta) FROM (
                        {union}) AS d
                    GROUP BY partner_id, list_name, scope {having};
                    RETURN NULL;
                END $$"""

        return [
            function(ins, [c.rows("r", 1, "FROM new_rows AS r") for c in self.counters]),
            f"""CREATE TRIGGER {ins} AFTER INSERT ON {self.table} REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION {ins}()""",
            function(dele, [c.rows("r", -1, "FROM old_rows AS r") for c in self.counters]),
            f"""CREATE TRIGGER {dele} AFTER DELETE ON {self.table} REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION {dele}()""",
            function(upd, [*(c.rows("OLD", -1) for c in self.counters), *(c.rows("NEW", 1) for c in self.counters)],
                     "HAVING SUM(delta) <> 0"),
            f"""CREATE TRIGGER {upd} AFTER UPDATE OF {", ".join(self.moved_by)} ON {self.table} FOR EACH ROW
                WHEN ({self._changed("IS DISTINCT FROM")}) EXECUTE FUNCTION {upd}()""",
        ]

    def sqlite(self) -> list[str]:
        ins, dele, upd = trigger_names(self.table)

        def upsert(counter, r, sign):
            if sign < 0:  # a decrement only ever meets an existing counter (and flush's DELETEs none)
                return (f'UPDATE {COUNTS} SET "count" = "count" - 1 WHERE partner_id = {r}.{counter.partner} '
                        f"AND list_name = '{counter.list_name}' AND scope = {counter.scope.format(r=r)} "
                        f"AND ({counter.condition.format(r=r)});")
            return (f'INSERT INTO {COUNTS} (partner_id, list_name, scope, "count") {counter.rows(r, sign)} '
                    f"{UPSERT.format(counts=COUNTS)};")

        def body(pairs):
            return "\n".join(upsert(counter, r, sign) for counter, r, sign in pairs)

        return [
            f"""CREATE TRIGGER {ins} AFTER INSERT ON {self.table} BEGIN
                {body((c, "NEW", 1) for c in self.counters)}
                END""",
            f"""CREATE TRIGGER {dele} AFTER DELETE ON {self.table} BEGIN
                {body((c, "OLD", -1) for c in self.counters)}
                END""",
            f"""CREATE TRIGGER {upd} AFTER UPDATE OF {", ".join(self.moved_by)} ON {self.table}
                WHEN {self._changed("IS NOT")} BEGIN
                {body([*((c, "OLD", -1) for c in self.counters), *((c, "NEW", 1) for c in self.counters)])}
                END""",
        ]

    def fill(self) -> list[str]:
        """The counters of the rows already there (the triggers exist and, on PostgreSQL, lock the table
        against writers until the migration commits, so nothing is missed or counted twice)."""
        return [
            f"""INSERT INTO {COUNTS} (partner_id, list_name, scope, "count")
                SELECT partner_id, list_name, scope, SUM(delta) FROM ({c.rows("r", 1, f"FROM {self.table} AS r")}) AS d
                WHERE TRUE GROUP BY partner_id, list_name, scope
                ON CONFLICT (partner_id, list_name, scope) DO UPDATE SET "count" = excluded."count\""""
            for c in self.counters
        ]
