"""Sign-in, sessions and the current user."""
