"""`python manage.py seed_demo` (idempotent); `--json` prints logins and access keys for automation.

Each installed app may have a `demo.py` with `seed(ctx)`; they run in INSTALLED_APPS order (the
direction dependencies point), sharing `ctx`, inside one transaction. The core's creates the
partners and the documentation's example organisation; later apps add their data to them.
"""

import json
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create (or complete) the demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print logins and access keys as one JSON object")

    def handle(self, *args, **options):
        ctx = {"partners": {}, "members": {}, "logins": [], "access_keys": []}
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if find_spec(f"{app_config.name}.demo") is not None:
                    import_module(f"{app_config.name}.demo").seed(ctx)
        result = {"logins": ctx["logins"], "access_keys": ctx["access_keys"]}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with one of these:"))
        self.stdout.write(f"  {'kind':<9} {'username':<14} {'password':<14} partner")
        for login in result["logins"]:
            self.stdout.write(f"  {login['kind']:<9} {login['username']:<14} {login['password']:<14} {login['partner']}")
