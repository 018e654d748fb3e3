"""Billing's copy of each client (currency, country, language, contact), kept from the gateway's events."""
