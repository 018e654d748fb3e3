"""F-3: withdrawals of available commissions, to a bank account in the affiliate's own name or as credit."""
