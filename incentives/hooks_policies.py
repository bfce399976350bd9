"""What the policies area plugs into the core: event types, operation-log labels."""
