"""Demo expansion data (issue 16), one module per area, each idempotent: invitation links with registrations,
a directory of a few hundred enterprises and reports in every state, leads, HO opportunities due today,
tomorrow, in two or three working days and overdue, POs, sales tasks and one entrustment."""

from importlib import import_module

__all__ = ["seed"]

AREAS = ("invitations", "directory", "leads", "opportunities", "tasks")


def seed(ctx: dict) -> None:
    for area in AREAS:
        import_module(f"expansion.demo_{area}").seed(ctx)
