"""The operator screens of the invitations area."""
