"""Business settings an admin changes in the staff console without a restart (#14 item 5): dunning days (B-3..B-6),
discounts (B-12), payment methods and minimums (B-20), the seller's identity on invoices and transfer instructions
(B-19). The environment (`BILLING_*`) gives the defaults; a stored value replaces a whole group; every change is
audited with its before and after."""
