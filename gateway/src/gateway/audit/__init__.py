"""The gateway's one audit trail (issue 14 item 7, #13): every staff action taken at the gateway — role changes,
identity decisions, account closures, second factors and the security policy — who (id and email) and when, and
the client it concerned, if any. The services keep their own."""
