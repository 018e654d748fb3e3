"""Discounts (B-12, B-13): a pure, data-driven engine, and coupons."""
