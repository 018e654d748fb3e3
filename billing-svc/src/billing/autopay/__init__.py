"""B-21 automatic payment (issue #15 item 2): saved payment methods, the client's auto-pay switch, and the
scheduler's charges of renewal invoices (each attempt once, keyed, before B-4 suspends)."""
