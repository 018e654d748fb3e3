"""The durable driver-action queue (P-4): written with each state change, run and retried by a worker."""
