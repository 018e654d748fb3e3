"""Provider webhooks (B-19): verified on the raw body, stored once, answered at once, processed from the store."""
