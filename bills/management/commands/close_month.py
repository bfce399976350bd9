"""manage.py close_month [--cycle YYYY-MM]: close one billing cycle, or (without --cycle) every cycle the
daily run would close (bills.closing.due_cycles). A closed cycle is left as it is."""

from django.core.management.base import BaseCommand, CommandError

from bills import closing, periods
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError


class Command(BaseCommand):
    help = "Close a billing cycle (month close): customers' monthly sums and partner bills."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="the billing cycle, YYYY-MM (default: every cycle that is due)")

    def handle(self, *args, **options):
        cycle = options.get("cycle")
        if cycle is not None and not periods.is_cycle(cycle):
            raise CommandError("--cycle must be YYYY-MM")
        cycles = [cycle] if cycle else closing.due_cycles()
        if not cycles:
            self.stdout.write("Nothing to close.")
        for one in cycles:
            try:
                result = closing.close_month(SCHEDULER, bill_cycle=one)
            except DomainError as exc:
                raise CommandError(f"{one}: {exc.message}") from exc
            if result.closed:
                self.stdout.write(f"{one} closed: {result.fee_records} fee records of {result.customers} customers, "
                                  f"{result.sums} monthly sums, {result.bills} partner bills.")
            else:
                self.stdout.write(f"{one} was already closed; nothing changed.")
