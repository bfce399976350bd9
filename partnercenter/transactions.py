"""Transactions that the database may abort to break a deadlock, run again."""

from django.db import OperationalError, transaction

__all__ = ["retry_on_deadlock"]


def retry_on_deadlock(work, attempts=3):
    """Run `work`, one transaction, again when the database aborted it to break a deadlock (a batch
    that finds an association replaced by a type switch locks the new one after the others, out of pk
    order) — never inside a caller's transaction, which the abort has spoiled."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as exc:
            state = getattr(exc.__cause__, "pgcode", None) or getattr(exc.__cause__, "sqlstate", None)
            nested = transaction.get_connection().in_atomic_block
            if state not in ("40P01", "40001") or attempt == attempts - 1 or nested:
                raise
