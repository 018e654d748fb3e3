"""Service instances (P-1): the state machine, billing's events applied in any order, access data (P-7)."""
