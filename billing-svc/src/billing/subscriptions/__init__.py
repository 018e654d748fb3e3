"""Subscriptions: what is billed (one per service; the subscription id is the service id), cycle, next due date."""
