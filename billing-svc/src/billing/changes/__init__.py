"""A client's changes to a service: billing cycle (B-11), upgrade (B-14), cancellation and the renew switch (B-15).

Invoices never change after issue (B-9): a change cancels the unpaid renewal invoice it affects and issues a new
one, at the current price and terms (B-16), for every service that invoice held (B-1).
"""
