"""F-1: affiliate accounts, referral links, visits and the attribution of sign-ups."""
