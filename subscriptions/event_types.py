"""The events subscriptions records (events.outbox), registered in SubscriptionsConfig.ready()."""

from events.types import register

TYPES = ()

register(*TYPES)
