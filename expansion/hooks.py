"""What the expansion app plugs into the core when it starts, one module per area."""

from . import hooks_directory, hooks_invitations, hooks_leads, hooks_opportunities, hooks_tasks  # noqa: F401
