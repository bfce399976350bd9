"""Loading big tables the way pg_restore does: rows first, then the indexes and foreign keys.

`load(connect, tables, phases)` drops the non-unique indexes and the foreign keys of `tables`, runs the
phases (each a list of sessions run in parallel, each session one transaction of statements on its own
connection, committed at its end; a phase starts once the one before has committed), then builds the
indexes again from PostgreSQL's own definitions (`pg_get_indexdef`) and the foreign keys with `ADD
CONSTRAINT … NOT VALID` and `VALIDATE CONSTRAINT` (one anti-join over the table per key instead of one
lookup per row and key at COMMIT), also when a phase failed. Then it reads the catalogue again and exits
unless every index and foreign key is back as it was, every foreign key validated. Primary keys, unique
indexes, NOT NULL, check constraints and triggers stay live throughout. bench/dataset.py uses it.
"""

import time

SESSIONS_AFTER = 2                     # parallel sessions building the indexes, validating the foreign keys


def say(*args):
    print(*args, flush=True)


def deferred_schema(cur, tables):
    """What load() builds after the rows, on `tables`, as the catalogue has it now: ([(table, index, CREATE
    INDEX statement)] of the non-unique indexes, [(table, constraint, definition, validated)] of the foreign
    keys). Primary keys and unique indexes are not in it: they stay live through the load."""
    cur.execute("""
        SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY 1, 2""", [tables])
    indexes = cur.fetchall()
    cur.execute("""
        SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2""", [tables])
    return indexes, cur.fetchall()


def spread(work, sessions):
    """[(weight, steps)] over at most `sessions` lists of steps: heaviest first, each to the lightest list."""
    lists, loads = [[] for _ in range(sessions)], [0] * sessions
    for weight, steps in sorted(work, key=lambda w: w[0], reverse=True):
        k = loads.index(min(loads))
        lists[k] += steps
        loads[k] += weight
    return [steps for steps in lists if steps]


def session(connect, steps):
    """[(label, statement, parameters)] in one transaction on its own connection: [(label, rows, seconds)]."""
    import psycopg2

    done = []
    conn = psycopg2.connect(**connect)
    try:
        with conn.cursor() as cur:
            # One session per core already: no parallel workers of its own for CREATE INDEX.
            cur.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '256MB'; "
                        "SET max_parallel_maintenance_workers = 0; SET synchronous_commit = off")
            for label, statement, values in steps:
                started = time.perf_counter()
                cur.execute(statement, values)
                done.append((label, cur.rowcount, time.perf_counter() - started))
        started = time.perf_counter()
        conn.commit()
        done.append(("  COMMIT", None, time.perf_counter() - started))
    finally:
        conn.close()
    return done


def run(connect, label, work, slower_than=None):
    """The sessions of `work` in parallel; each step's time printed (with `slower_than`, only if it took
    longer than that many seconds)."""
    from concurrent.futures import ThreadPoolExecutor

    work = [steps for steps in work if steps]
    if not work:
        return
    started = time.perf_counter()
    with ThreadPoolExecutor(len(work)) as pool:
        results = list(pool.map(lambda steps: session(connect, steps), work))
    label += f": {len(work)} sessions in parallel" if len(work) > 1 else ": 1 session"
    say(f"  {label:<66} {time.perf_counter() - started:6.1f}s")
    for done in results:
        for name, rows, took in done:
            if slower_than is not None and took < slower_than:
                continue
            name = f"    {name}" + (f" ({rows:,} rows)" if rows and rows > 0 else "")
            say(f"  {name:<66} {took:6.1f}s")


def _alter(table, action, name, definition=""):
    from psycopg2 import sql as pgsql

    return pgsql.SQL("ALTER TABLE {} {} {} {}").format(
        pgsql.Identifier(table), pgsql.SQL(action), pgsql.Identifier(name), pgsql.SQL(definition))


def load(connect, tables, phases):
    """Run `phases` ([[session steps, …] per phase]) into `tables`, their non-unique indexes and foreign keys
    dropped before and built again after (see the module's docstring); `connect`: psycopg2.connect's keywords."""
    import psycopg2
    from psycopg2 import sql as pgsql

    conn = psycopg2.connect(**connect)
    try:
        with conn.cursor() as cur:
            indexes, foreign_keys = deferred_schema(cur, tables)
    finally:
        conn.close()

    run(connect, f"before: drop {len(indexes)} non-unique indexes and {len(foreign_keys)} foreign keys",
        [[(f"DROP INDEX {index}", pgsql.SQL("DROP INDEX {}").format(pgsql.Identifier(index)), None)
          for _table, index, _definition in indexes]
         + [(f"DROP CONSTRAINT {name}", _alter(table, "DROP CONSTRAINT", name), None)
            for table, name, _definition, _valid in foreign_keys]], slower_than=0.5)
    try:
        for number, phase in enumerate(phases, 1):
            run(connect, f"phase {number}", phase)
    finally:
        # Also when the load failed: the database keeps its schema (and says what the rows break).
        conn = psycopg2.connect(**connect)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT relname, pg_relation_size(oid) FROM pg_class WHERE oid = ANY(%s::regclass[])",
                            [tables])
                size = dict(cur.fetchall())
        finally:
            conn.close()
        run(connect, f"after: CREATE INDEX × {len(indexes)}", spread(
            [(size[table], [(f"CREATE INDEX {index}", definition, None)]) for table, index, definition in indexes],
            SESSIONS_AFTER), slower_than=0.5)
        # NOT VALID: the constraint is in force for new rows at once, and takes its locks for milliseconds;
        # VALIDATE then checks every existing row with one anti-join per constraint (RI_Initial_Check), in
        # sessions by referencing table (a VALIDATE locks its table against another one on the same table).
        run(connect, f"after: ADD CONSTRAINT … NOT VALID × {len(foreign_keys)}",
            [[(f"ADD CONSTRAINT {name}", _alter(table, "ADD CONSTRAINT", name, definition + " NOT VALID"), None)
              for table, name, definition, _valid in foreign_keys]], slower_than=0.5)
        by_table = {}
        for table, name, _definition, _valid in foreign_keys:
            by_table.setdefault(table, []).append(
                (f"VALIDATE CONSTRAINT {name}", _alter(table, "VALIDATE CONSTRAINT", name), None))
        run(connect, f"after: VALIDATE CONSTRAINT × {len(foreign_keys)}",
            spread([(size[table], steps) for table, steps in by_table.items()], SESSIONS_AFTER), slower_than=0.5)
    conn = psycopg2.connect(**connect)
    try:
        with conn.cursor() as cur:
            after = deferred_schema(cur, tables)
    finally:
        conn.close()
    if after != (indexes, foreign_keys) or not all(valid for *_, valid in after[1]):
        raise SystemExit("The indexes or foreign keys built after the rows differ from what was there before.")
    say(f"  {len(indexes)} indexes and {len(foreign_keys)} foreign keys (all validated) as they were before")
