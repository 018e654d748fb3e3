"""provisioning-svc: service instances and their lifecycle, drivers (hosting panels, generic HTTP, manual),
manual staff tasks, access data and transfers between clients (DOMAIN.md P-1..P-7; B-4..B-7, B-9, B-14, B-17 as
billing decides them).

Owns: database `abono_provisioning`: services (P-1 state), service_audit (every change: who/what decided it,
invoice, rule, event), suspension_holds, settled_invoices and cancelled_invoices (which invoices a service is
suspended for, which are paid or cancelled: out-of-order safety), issued_invoices and invoice_services (which
invoices are unpaid, for P-6), upgrades, service_access (P-7, password encrypted), driver_actions (the durable P-4
queue), staff_tasks (P-3), clients (a copy of each client's e-mail and identity verification, A-2, from the gateway's
events), service_transfers (P-6), and domains, domain_renewals and registrant_profiles (D-1..D-3: the registrar's
side of domain services); plus outbox and inbox.
Publishes: provisioning.service.activated, provisioning.service.suspended, provisioning.service.reactivated,
provisioning.service.terminated, provisioning.upgrade.applied, provisioning.service.transferred (billing
invoices the new owner from then on, P-6), provisioning.domain.expiring and provisioning.domain.deleted (D-2, N-2).
Consumes: queue `provisioning.billing`: billing.service.ordered, billing.invoice.issued, billing.invoice.paid,
billing.invoice.cancelled, billing.service.suspension_decided, billing.service.termination_decided,
billing.upgrade.requested; queue `provisioning.gateway`: gateway.client.registered, gateway.client.updated,
gateway.client.email_verified, gateway.client.identity_verified (P-6 needs it).
HTTP: GET /services and GET /services/{id} (the caller's own, with access data); P-6: POST /services/{id}/transfers
(the owner), GET /transfers (the caller's, both directions), POST /transfers/{id}/accept (the recipient),
POST /transfers/{id}/cancel (either); GET /staff/tasks and POST /staff/tasks/{id}/complete,
GET /staff/actions/failed and POST /staff/actions/{id}/retry (staff); domains (D-1..D-3): GET /domains/search,
GET /domains, GET /domains/{id}, GET|PUT /domains/registrant, PUT /domains/{id}/nameservers, PUT /domains/{id}/lock,
POST /domains/{id}/epp-code, POST /domains/{id}/transfer; GET /staff/domains, GET /staff/domains/errors;
/healthz, /readyz, /metrics, /whoami.
No endpoint suspends, unsuspends or terminates a service (P-5).
"""
