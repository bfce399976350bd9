"""What the programs app plugs into the core when it starts, one module per area."""

from . import hooks_access, hooks_agreements, hooks_benefits, hooks_reviews, hooks_standing  # noqa: F401
