"""`python manage.py verify_ledger`: recompute every balance from its ledger entries and compare.

Exits non-zero on any difference: a stored balance that is not the sum of its entries, an entry whose
balance_after does not follow from the one before it, an adjustment without both sides, or a ledger
without its account. A customer's arrears (欠费, balance type ARREARS) are checked like its balance, and
never stand beside a positive balance: money that arrives pays them first.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from billing.choices import BalanceType
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount


class Command(BaseCommand):
    help = "Recompute every balance from the ledger; fail on any difference."

    def handle(self, *args, **options):
        problems = []
        sums = defaultdict(Decimal)
        last_after = {}
        for entry in LedgerEntry.objects.order_by("id").iterator():
            key = ("partner", entry.partner_id, entry.balance_type) if entry.partner_id else (
                "customer", entry.customer_id, entry.balance_type)
            sums[key] += entry.amount
            if sums[key] != entry.balance_after:
                problems.append(f"entry {entry.pk}: balance_after {entry.balance_after} but entries sum to {sums[key]}")
            last_after[key] = entry.balance_after

        for account in PartnerAccount.objects.all():
            stored = {BalanceType.CASH: account.cash_balance, BalanceType.CREDIT: account.credit_limit,
                      BalanceType.ALLOCATED: account.allocated_amount, BalanceType.REBATE: account.rebate_balance}
            for balance_type, value in stored.items():
                computed = sums.pop(("partner", account.partner_id, balance_type), Decimal("0"))
                if computed != value:
                    problems.append(f"partner {account.partner_id} {balance_type}: stored {value}, ledger {computed}")
        for account in CustomerAccount.objects.all():
            computed = sums.pop(("customer", account.customer_id, BalanceType.CASH), Decimal("0"))
            if computed != account.balance:
                problems.append(f"customer {account.customer_id}: stored {account.balance}, ledger {computed}")
            computed = sums.pop(("customer", account.customer_id, BalanceType.ARREARS), Decimal("0"))
            if computed != account.arrears:
                problems.append(f"customer {account.customer_id} arrears: stored {account.arrears}, ledger {computed}")
            if account.arrears > 0 and account.balance > 0:
                problems.append(f"customer {account.customer_id}: balance {account.balance} left beside arrears "
                                f"{account.arrears} (money that arrives pays the arrears first)")
        for key, value in sums.items():
            if value:
                problems.append(f"{key}: ledger sums to {value} but there is no account")

        for adjustment in Adjustment.objects.prefetch_related("entries"):
            amounts = sorted(entry.amount for entry in adjustment.entries.all())
            if len(amounts) != 2 or abs(amounts[0]) != adjustment.amount or abs(amounts[1]) != adjustment.amount:
                problems.append(f"adjustment {adjustment.trans_id}: entries {amounts} for amount {adjustment.amount}")

        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} ledger difference(s)")
        self.stdout.write(self.style.SUCCESS(
            f"Ledger verified: {PartnerAccount.objects.count()} partner and {CustomerAccount.objects.count()} "
            f"customer accounts, {LedgerEntry.objects.count()} entries."))
