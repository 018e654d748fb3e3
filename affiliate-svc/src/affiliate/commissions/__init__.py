"""F-2: commissions as an append-only ledger: earned on paid invoices, matured by the scheduler, reversed by
refunds and chargebacks."""
