"""The platform operator's screens, one module per area."""

from . import admin_access, admin_agreements, admin_benefits, admin_reviews, admin_standing  # noqa: F401
