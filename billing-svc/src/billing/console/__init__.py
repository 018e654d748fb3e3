"""The staff console's billing side (issue 14): invoice search and export, a client's whole billing record, manual
credit, orders placed for a client, what waits for a person, and the monthly figures."""
