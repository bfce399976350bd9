"""What the programs app plugs into the core when it starts, one module per area."""

from . import hooks_agreements, hooks_benefits, hooks_standing  # noqa: F401
