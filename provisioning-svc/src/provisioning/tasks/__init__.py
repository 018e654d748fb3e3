"""Staff tasks of manual products (P-3): deadlines in business days, overdue flags, completion activates."""
