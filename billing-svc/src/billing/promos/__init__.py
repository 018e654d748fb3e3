"""Promotions beyond the discount engine: the referral free month (credit) and the 2x1 for new clients (B-12)."""
