"""What the tasks area (sales tasks and entrustment) plugs into the core when the app starts: its error
codes and event types (registered on import) and its operation-log labels."""

from partnercenter.oplog import register_actions

from . import errors_tasks, event_types_tasks  # noqa: F401  (codes and event types register on import)
from . import tasks_entrustment, tasks_sales

register_actions({**tasks_sales.ACTION_LABELS, **tasks_entrustment.ACTION_LABELS})
