"""Invoices (B-1, B-2, B-9, B-16, B-19): numbered, with a unique payment reference; lines never change."""
