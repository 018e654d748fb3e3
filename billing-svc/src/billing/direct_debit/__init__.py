"""Direct debit (B-21, issue #15 item 3): a client's mandate (Pagos360 adhesión by CBU or card) and a debit request
for each renewal invoice while it is active; results come back through the payments webhook like any payment."""
