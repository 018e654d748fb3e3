"""The credit balance (B-10): a ledger per client and currency; every change holds the client's credit lock."""
