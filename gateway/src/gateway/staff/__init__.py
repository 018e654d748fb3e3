"""The staff console's gateway side (issue 14): client search, the client's profile, account closure, the audit
trail of staff actions taken at the gateway."""
