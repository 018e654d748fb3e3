"""The renewal and dunning scheduler (B-1..B-6): safe with any number of replicas, woken by the test clock."""
