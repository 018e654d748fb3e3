"""Sample figures for previewing and checking a template: every variable any kind's templates use (N-2)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from abono.events import InvoiceLineInfo
from abono.money import MoneyModel


def sample_context() -> dict[str, Any]:
    total = MoneyModel(amount_minor=1_500_000, currency="ARS")
    now = datetime(2027, 1, 1, 15, tzinfo=UTC)
    return {
        "name": "Ana Pérez",
        "verify_path": "/verify-email?token=ejemplo",
        "expires_at": now,
        "reset_path": "/reset-password?token=ejemplo",
        "changed": ["name", "phone"],
        "changed_at": now,
        "number": "F-000123",
        "total": total,
        "due_on": date(2027, 1, 10),
        "payment_reference": "K7QM4XZP2A",
        "lines": [InvoiceLineInfo(description="Hosting Plus (anual)", amount=total)],
        "invoice_path": "/invoices/1",
        "days_before": 5,
        "paid_at": now,
        "service": "Hosting Plus (ejemplo.com.ar)",
        "service_path": "/services/1",
        "title": "Tienda en línea",
        "valid_until": date(2027, 2, 1),
        "quote_path": "/support/tickets/1",
        "domain": "ejemplo.com.ar",
        "code": "T-7QM4XZ",
        "subject": "Sitio caído",
        "body": "Ya está en línea.",
        "status": "answered",
        "resolution_due_at": now,
        "ticket_path": "/support/tickets/1",
        "starts_at": now,
        "lead": "day",
        "topic": "Configurar el correo",
        "appointment_path": "/support/appointments",
        "stage": "opened",
        "server_label": "Servidor Web 1",
        "services": ["Hosting Plus", "Radio Básica"],
        "message": "Estamos investigando una demora en las respuestas.",
        "status_path": "/status",
        "product_name": "Hosting Plus",
        "month": date(2027, 1, 1),
        "uptime_percent": "99.861",
        "credit_percent": 10,
        "downtime_minutes": 60,
        "credit_path": "/credit",
        "votes": 4,
        "ideas_path": "/ideas",
        "method": "pagos360",  # automatic_payment_failed (B-21)
        "reason": "Fondos insuficientes",
        "action_needed": True,
        "next_attempt_on": date(2027, 1, 11),
        "sla_class": "SLA3",
        "plan": "full",
        "deadline": "first_response",
        "priority": "urgent",
        "assigned": False,
        "due_at": now,
        "client_path": "/staff/clients/1",
    }
