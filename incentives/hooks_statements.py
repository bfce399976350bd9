"""What the statements area plugs into the core: event types, operation-log labels."""
