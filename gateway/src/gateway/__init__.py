"""gateway: the platform's front door (port 8000).

Owns: database `abono_gateway`: accounts (`users`, A-1: one account per e-mail in any case), e-mail verification
tokens, rotated refresh tokens, rate-limit counters, the test clock's offset; the outbox/inbox.
Serves: `/api/auth/*` (sign-up, verification, login, refresh, logout, profile, password, roles), the reverse
proxy `/api/<service>/*` and `/webhooks/<provider>` (to billing), the merged `/openapi.json` and `/docs`, and in
test mode `/api/test/clock` and `/internal/test/clock`; plus /healthz, /readyz, /metrics, /whoami.
Signs: access JWTs (Ed25519) that every service verifies.
Publishes: gateway.client.registered, gateway.client.verification_requested, gateway.client.email_verified,
gateway.client.updated, gateway.client.password_changed.
Consumes: nothing.
"""
