"""What the policies area (policies, the monthly run, the CBC endpoint) plugs into the core when the app
starts: its error codes (registered on import) and its operation-log labels (registered by the modules that
define them)."""

from . import errors_policies, policies, run  # noqa: F401  (codes and operation-log labels register on import)
