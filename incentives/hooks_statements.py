"""What the statements area (激励明细, 业绩管理, 激励对账) plugs into the core when the app starts: its error codes
and event types (registered on import) and its operation-log labels."""

from partnercenter.oplog import register_actions

from . import errors_statements, event_types_statements  # noqa: F401  (codes and event types register on import)
from .statements import ACTION_LABELS

register_actions(ACTION_LABELS)
