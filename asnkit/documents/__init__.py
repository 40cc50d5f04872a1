"""asnkit.documents."""
