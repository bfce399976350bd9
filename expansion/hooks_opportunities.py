"""What the opportunities area plugs into the core when the app starts: its error codes, event types and
operation-log labels."""

from partnercenter.oplog import register_actions

from . import errors_opportunities, event_types_opportunities  # noqa: F401  (codes and event types register on import)
from .opportunities import ACTION_LABELS

register_actions(ACTION_LABELS)
