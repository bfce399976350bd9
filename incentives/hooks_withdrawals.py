"""What the withdrawals area plugs into the core: event types, operation-log labels."""
