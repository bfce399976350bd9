"""The platform operator's screens, one module per area."""

from . import admin_directory, admin_invitations, admin_leads, admin_opportunities, admin_tasks  # noqa: F401
