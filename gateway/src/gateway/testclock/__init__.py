"""Test mode's platform clock (issue #2 part 6): the gateway owns it, persists it and pushes every move."""
