"""Rate limits kept in PostgreSQL, so every gateway replica counts against the same budget."""
