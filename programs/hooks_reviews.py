"""What the reviews area registers when the app starts (operation-log labels, home panels, banners, events)."""
