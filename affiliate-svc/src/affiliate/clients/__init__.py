"""affiliate-svc's copy of the clients it needs (F-1 self-referral checks, F-3 verified identity)."""
