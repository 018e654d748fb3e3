"""Two-factor authentication for staff accounts (#14 item 7): TOTP (RFC 6238, pyotp) secrets sealed at rest, codes
checked at login (each used once), hashed single-use recovery codes, and the admins' policy that makes it required
for every staff account. Changes are audited (`gateway.audit`)."""
