"""Renewals (B-1, B-2, B-9, B-16): renewal lines at the current price and terms, the renewal run, and the re-issue
of an unpaid renewal invoice when a change affects it; every writer holds the client's renewal lock."""
