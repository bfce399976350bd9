"""`python manage.py import_price_list FILE [--apply]`: check a price list (CSV or .xlsx) against the
catalogue and say what it would change; with --apply, import it in one transaction (nothing when any row
is wrong). The format is catalog.importing's, the same as the admin's import and export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import importing


class Command(BaseCommand):
    help = "Check (dry run) or import (--apply) a price list of products and prices (.csv or .xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="write the changes (default: a dry run)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            table = importing.read_table(path.read_bytes(), path.name)
        except OSError as exc:
            raise CommandError(str(exc)) from None
        except importing.PriceListError as exc:
            raise CommandError(str(exc)) from None
        plan = importing.apply_import(table) if options["apply"] else importing.plan_import(table)
        for error in plan.errors:
            self.stderr.write(f"line {error}")
        if not plan.ok:
            raise CommandError(f"{len(plan.errors)} error(s); nothing was changed.")
        counts = " ".join(f"{name}={value}" for name, value in plan.counts().items())
        verb = "imported" if options["apply"] else "dry run, nothing changed"
        self.stdout.write(self.style.SUCCESS(f"{plan.rows} rows {verb}: {counts}"))
