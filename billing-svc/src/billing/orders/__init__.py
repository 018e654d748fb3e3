"""Orders: a price preview with every discount line, then one invoice, the subscriptions and `ServiceOrdered`."""
