"""Payments (B-7, B-9, B-10, B-15, B-17, B-19, B-20): applying money received, the credit balance, and every payment
provider behind one `PaymentProvider` Protocol: checkout, webhooks, reconciliation, refunds, chargebacks."""
