"""The `incidents` command."""
