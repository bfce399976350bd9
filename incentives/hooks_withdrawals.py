"""What the withdrawals area (the rebate account, 激励返点提现) plugs into the core when the app starts: its error
codes and event types (registered on import) and its operation-log labels."""

from partnercenter.oplog import register_actions

from . import errors_withdrawals, event_types_withdrawals  # noqa: F401  (codes and event types register on import)
from . import withdrawals

register_actions(withdrawals.ACTION_LABELS)
