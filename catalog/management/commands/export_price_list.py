"""`python manage.py export_price_list FILE`: write every product and price as a price list (.csv or
.xlsx by the file's extension), in the format import_price_list reads back unchanged."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import importing


class Command(BaseCommand):
    help = "Export the catalogue's products and prices as a price list (.csv or .xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        rows = importing.export_rows()
        if path.suffix.lower() == ".csv":
            data = importing.write_csv(rows)
        elif path.suffix.lower() == ".xlsx":
            data = importing.write_xlsx(rows)
        else:
            raise CommandError("The file must end in .csv or .xlsx.")
        path.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} rows written to {path}"))
