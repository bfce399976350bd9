"""The platform operator's screens, one module per area."""

from . import admin_fh, admin_policies, admin_statements, admin_withdrawals  # noqa: F401
