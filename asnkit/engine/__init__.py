"""asnkit.engine."""
