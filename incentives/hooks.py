"""What the incentives app plugs into the core when it starts, one module per area."""

from . import hooks_fh, hooks_policies, hooks_statements, hooks_withdrawals  # noqa: F401
