"""The platform operator's screens, one module per area."""

from . import admin_agreements, admin_benefits, admin_standing  # noqa: F401
