"""provisioning-svc: service instances and their lifecycle, drivers (hosting panels, generic HTTP, manual),
manual staff tasks and access data (DOMAIN.md P-1..P-5, P-7; B-4..B-7, B-14, B-17 as billing decides them).

Owns: database `abono_provisioning`: services (P-1 state), service_audit (every change: who/what decided it,
invoice, rule, event), suspension_holds and settled_invoices (which invoices a service is suspended for, which are
paid: out-of-order safety), upgrades, service_access (P-7, password encrypted), driver_actions (the durable P-4
queue), staff_tasks (P-3); plus outbox and inbox.
Publishes: provisioning.service.activated, provisioning.service.suspended, provisioning.service.reactivated,
provisioning.service.terminated, provisioning.upgrade.applied.
Consumes (queue `provisioning.billing`): billing.service.ordered, billing.invoice.paid,
billing.service.suspension_decided, billing.service.termination_decided, billing.upgrade.requested.
HTTP: GET /services and GET /services/{id} (the caller's own, with access data), GET /staff/tasks and
POST /staff/tasks/{id}/complete, GET /staff/actions/failed and POST /staff/actions/{id}/retry (staff);
/healthz, /readyz, /metrics, /whoami. No endpoint suspends, unsuspends or terminates a service (P-5).
"""
