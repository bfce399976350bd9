"""What the access area registers when the app starts (operation-log labels, home panels, banners, events)."""
