"""Payment providers (B-19, B-20): Stripe, MercadoPago and reported transfers behind one `PaymentProvider` Protocol,
the B-20 method rules, and the client's "pay this invoice" flow (payment attempts with stored idempotency keys)."""
