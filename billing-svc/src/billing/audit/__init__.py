"""The audit log: staff actions on money (B-18 waive, refunds, confirmed transfers), referral credit, transfers."""
