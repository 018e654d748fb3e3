"""Dunning (B-3..B-6): reminders before the due date, suspension, termination of unpaid invoices' services."""
