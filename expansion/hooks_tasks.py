"""What the tasks area plugs into the core when the app starts (event types, labels)."""
