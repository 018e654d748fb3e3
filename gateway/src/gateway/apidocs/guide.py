"""What `/docs` says to API users before the operations: the introduction and one line per tag (#19 item 1)."""

INTRODUCTION = """\
The whole Abono API behind one address: accounts and sessions at `/api/auth`, and each service's operations under
`/api/<service>/...` (billing, provisioning, notify, support, affiliate). Payment providers' notifications arrive at
`/webhooks/<provider>`; the events the services exchange are described in [`/asyncapi.json`](/asyncapi.json).

**Authentication.** `POST /api/auth/login` answers an access token (valid 15 minutes) and a refresh token; send the
access token as `Authorization: Bearer <token>` (the **Authorize** button) and get a new pair from
`POST /api/auth/refresh`. Operations without a lock (sign-up, login, the public catalog, the status page, help
articles, referral links, webhooks) need no token. Staff operations (paths with `/staff/`) need a staff or admin
account; everything else answers only with the caller's own data.

**Errors** are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) `application/problem+json`: `type` ends in a
stable code (e.g. `driver-not-configured`, `account-closed`), `detail` says what happened, `instance` is the path you
called. A 4xx changes nothing. 429 comes with `Retry-After`.

**Money** is an integer amount in the currency's minor unit with its ISO 4217 code
(`{"amount_minor": 1250, "currency": "USD"}` is US$12.50; CLP has no minor unit). Instants are UTC (ISO 8601),
dates are the provider's calendar days.
"""

# One line per tag, in the order /docs lists them.
TAGS: dict[str, str] = {
    "auth": "Sign-up, e-mail verification, login, sessions, password and two-factor authentication.",
    "identity": "Identity verification: the client uploads documents, staff approve or reject.",
    "staff: clients": "Staff: find clients, read their profile, close an account; the gateway's audit and work list.",
    "stream": "Live updates for the signed-in person (server-sent events).",
    "operations": "Health and identity checks of the gateway itself.",
    "billing: catalog": "Products and their prices: the public catalog; staff read the whole catalog and its audited "
    "history, admins change it.",
    "billing: orders": "Price an order and place it: one invoice for everything ordered.",
    "billing: invoices": "Invoices: list, read, download as PDF, the credit balance; staff read any and waive one.",
    "billing: payments": "Paying invoices: methods offered, checkout at a provider, transfers reported and confirmed.",
    "billing: webhooks": "Payment providers' signed notifications.",
    "billing: services": "A client's services as billing sees them: renewal, cycle change, upgrade, cancellation.",
    "billing: auto-pay": "Saved payment methods and auto-pay: renewal invoices charged on their due date.",
    "billing: direct-debit": "Direct debit of renewal invoices (Pagos360): the client's mandate by CBU or card.",
    "billing: clients": "A client's billing profile (currency, country).",
    "billing: discounts": "Coupons: staff read them, admins create, change, retire or delete them (audited).",
    "billing: referrals": "Referral code and the free months earned by referring friends.",
    "billing: business settings": "Admin settings: dunning days, discounts, payment methods, seller identity, bank "
    "details.",
    "billing: staff: billing": "Staff console: invoice search and export, transfers waiting, a client's file, manual "
    "credit, orders for a client, monthly figures.",
    "provisioning: services": "A client's services as provisioned: state and access data (panel, user, password).",
    "provisioning: transfers": "Moving a service to another client (both confirm).",
    "provisioning: domains": "Domain search, registrant data, name servers, lock and transfers.",
    "provisioning: migrations": "Moving a site from another provider into a hosting service: we migrate it, or the "
    "client does.",
    "provisioning: staff: migrations": "Staff queue of site migrations: deadlines, the old server's access on request, "
    "progress and completion.",
    "provisioning: staff: manual tasks": "Staff tasks of manual products: list and complete them.",
    "provisioning: staff: driver actions": "Actions at hosting panels that failed and are retried (staff).",
    "provisioning: staff: services": "Staff console: find services, counts per state, driver and server, a client's "
    "services and tasks, the work list.",
    "notify: messages": "The client's panel inbox; staff see every message sent and its delivery, and resend failed "
    "ones.",
    "notify: preferences": "Which channels a client receives messages on.",
    "notify: tracking": "Open and click tracking of e-mails (no login).",
    "notify: whatsapp": "WhatsApp Cloud API webhook (Meta's verification and delivery statuses).",
    "notify: templates": "Message templates per kind and language (staff).",
    "support: tickets": "Tickets: open one, reply, follow it.",
    "support: staff desk": "Staff desk: assignment and status, merging, canned replies, the business calendar, "
    "support plans.",
    "support: quotes": "Quotes sent from a ticket; the client accepts one to order it.",
    "support: appointments": "Remote-support appointments within business hours.",
    "support: status": "Service status page: servers, incidents, maintenance, uptime and SLA credits.",
    "support: knowledge base": "Help articles and their search.",
    "support: ideas": "Feature-request board with votes.",
    "support: help bot": "Help bot: answers from the knowledge base, hands over to a ticket.",
    "affiliate: affiliates": "Affiliate account, referral link and figures.",
    "affiliate: commissions": "Commissions on referred clients' payments and their ledger.",
    "affiliate: withdrawals": "Withdrawing commissions to a bank account or as credit balance.",
}
