"""Accounts: sign-up (A-1: one account per e-mail, any case), e-mail verification, profile, password, roles."""
