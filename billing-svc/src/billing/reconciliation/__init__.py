"""Reconciliation (B-19): ask each provider about payment attempts still open, so a lost webhook loses nothing."""
