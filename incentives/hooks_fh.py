"""What the fh area plugs into the core: event types, operation-log labels."""
