"""Sessions: login, access JWTs and rotated refresh tokens whose reuse revokes their family (RFC 9700)."""
