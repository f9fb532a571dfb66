"""Redis repositories."""
