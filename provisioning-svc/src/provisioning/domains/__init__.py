"""Domains (D-1..D-3): registration on payment, renewal at the registry, the daily sync, the client's management."""
