"""`python manage.py generate_usage [--hours N] [--until ISO] [--customer DOMAIN_ID]`: plausible hourly usage of
the pay-per-use resources (bills.generator) for the N whole hours ending at --until (default: the last completed
hour). Idempotent: hours generated before are duplicates, nothing new is stored."""

from datetime import datetime, timezone

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer

from ... import generator


class Command(BaseCommand):
    help = "Generate hourly usage records for the pay-per-use resources (demos and tests). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=1,
                            help=f"how many whole hours, ending at --until (1 to {generator.MAX_HOURS}; default 1)")
        parser.add_argument("--until", help="the end of the last hour, ISO 8601 (UTC when no zone is given); "
                                            "default: the start of the current hour")
        parser.add_argument("--customer", help="only this customer's resources (its domain ID)")

    def handle(self, *args, hours, until, customer, **options):
        if not 1 <= hours <= generator.MAX_HOURS:
            raise CommandError(f"--hours must be between 1 and {generator.MAX_HOURS}.")
        end = None
        if until:
            try:
                end = datetime.fromisoformat(until)
            except ValueError:
                raise CommandError("--until is not an ISO 8601 time.") from None
            if end.tzinfo is None:
                end = end.replace(tzinfo=timezone.utc)
        if customer and not Customer.objects.filter(domain_id=customer).exists():
            raise CommandError(f"No customer {customer}.")
        try:
            summary = generator.generate(hours=hours, until=end, customer_id=customer)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        result = summary.as_dict()
        self.stdout.write(
            f"{result['hours']} hour(s) from {result['from']} to {result['to']}, {result['resources']} resource(s): "
            f"{result['created']} created, {result['duplicates']} duplicate(s), {result['failed']} failed.")
        for error in result["errors"]:
            self.stderr.write(f"  {error}")
