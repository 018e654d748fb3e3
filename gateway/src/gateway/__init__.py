"""gateway: the platform's front door (port 8000).

Owns: database `abono_gateway`: accounts (`users`, A-1: one account per e-mail in any case), e-mail verification
tokens, rotated refresh tokens, rate-limit counters, the test clock's offset; the outbox/inbox.
Serves: `/api/auth/*` (sign-up, verification, login, refresh, logout, profile, password, roles), the reverse
proxy `/api/<service>/*` and `/webhooks/<provider>` (to billing), the merged `/openapi.json` and `/docs`, and in
test mode `/api/test/clock` and `/internal/test/clock`; plus /healthz, /readyz, /metrics, /whoami.
Signs: access JWTs (Ed25519) that every service verifies.
Publishes: gateway.client.registered, gateway.client.verification_requested, gateway.client.email_verified,
gateway.client.updated, gateway.client.password_changed, gateway.client.closed.
Consumes (queue `gateway.accounts`): billing.payment.charged_back: B-17, a chargeback closes the account at once
(`users.closed_at`/`closed_reason`, every refresh-token family revoked, an `account_closed` audit log line,
gateway.client.closed emitted once; a repeated or second chargeback changes nothing).
A closed account cannot log in (403 `account-closed`, answered only after a correct password), refresh (401) or
use the gateway's own account endpoints (403); staff see `closed_at`/`closed_reason` in /api/auth/users/{id}.
Limitation: access JWTs issued before the closure stay valid until they expire (ACCESS_TOKEN_TTL, 15 minutes),
because the services verify them statelessly; billing's TerminationDecided (B-17) ends the services themselves.
"""
