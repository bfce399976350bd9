"""`python manage.py verify_running_sums [--cycle YYYY-MM]`: compare the running monthly sums (bills.models
.RunningSum) with the fee records they sum, and check that PostgreSQL's triggers that keep them are there and
enabled. Exits non-zero on any difference, like verify_ledger and verify_counts. On SQLite there is nothing to
verify: the sums are not kept there (readers group the fee records)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bills import running_sums

TRIGGERS = {"bills_running_sums_ins", "bills_running_sums_upd", "bills_running_sums_del",
            "bills_running_sums_truncate"}  # migration 0006


class Command(BaseCommand):
    help = "Compare the running monthly sums with the fee records; fail on any difference."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="one billing cycle (YYYY-MM) instead of every one")

    def handle(self, *args, cycle=None, **options):
        if not running_sums.kept():
            self.stdout.write("Running sums are kept on PostgreSQL only: nothing to verify here.")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'bills_feerecord'::regclass "
                           "AND NOT tgisinternal AND tgenabled <> 'D'")
            missing = TRIGGERS - {row[0] for row in cursor.fetchall()}
        found = running_sums.differences(cycle)
        for group, field, running, computed in found[:50]:
            self.stderr.write(f"{group}: {field} is {running} in the running sums, {computed} in the fee records")
        if missing:
            self.stderr.write(f"triggers missing or disabled: {', '.join(sorted(missing))}")
        if found or missing:
            raise CommandError(f"{len(found)} differences, {len(missing)} triggers missing or disabled")
        self.stdout.write(self.style.SUCCESS("Running sums verified: they are the fee records' sums."))
