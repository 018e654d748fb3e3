"""The scheduler (B-1..B-6, B-14, B-15): runs the jobs of renewals, dunning and changes on a loop, safe with any number
of replicas, woken by the test clock."""
