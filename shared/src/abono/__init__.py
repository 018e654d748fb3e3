"""abono: what every Abono service shares (settings, database, money, clock, errors, logging, metrics,
auth, events and the outbox/inbox bus)."""
