"""provisioning-svc: service instances and their lifecycle, drivers (hosting panels, generic HTTP, manual),
manual staff tasks and access data (DOMAIN.md P-*).

Owns: database `abono_provisioning` (outbox, inbox; provisioning tables as they land).
Publishes: provisioning.service.suspended, provisioning.service.reactivated, provisioning.service.terminated.
Consumes: nothing yet (billing.invoice.paid and the dunning decisions arrive with the provisioning issue).
HTTP: /healthz, /readyz, /metrics, /whoami.
"""
