"""The staff console's provisioning side (issue 14): services by state, driver and server, found by domain or
panel username; a client's services with their audit trail and tasks; what waits for a person."""
