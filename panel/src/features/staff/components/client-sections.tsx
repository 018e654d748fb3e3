import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Amount, Button, Card, DefinitionList, EmptyState, ErrorNotice, Field, StatusBadge } from "@/components/ui";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import {
  useInvoiceAction,
  useResendInvoice,
  useStaffNames,
  type ClientBilling,
  type ClientProfile,
  type ClientProvisioning,
  type Delivery,
  type GatewayAudit,
  type StaffInvoice,
} from "../api";

export function ProfileCard({ profile }: { profile: ClientProfile }) {
  const { t } = useTranslation();
  const id = profile.identity;
  return (
    <Card title={t("console.client.profile")}>
      <DefinitionList
        items={[
          [t("console.client.email"), `${profile.email}${profile.email_verified_at ? "" : ` (${t("console.client.emailUnverified")})`}`],
          [t("console.client.phone"), profile.phone ?? "—"],
          [t("console.client.country"), `${profile.country ?? "—"} · ${profile.currency} · ${profile.language.toUpperCase()}`],
          [t("console.client.since"), formatDate(profile.created_at, locale())],
          [t("console.client.identity"), id ? `${t(`console.verification.${id.status}`)}${id.legal_name ? ` · ${id.legal_name}` : ""}${id.tax_id_last4 ? ` · ···${id.tax_id_last4}` : ""}` : t("console.verification.none")],
          ...(profile.closed_at ? ([[t("console.client.closedOn"), formatDateTime(profile.closed_at, locale())]] as [string, string][]) : []),
        ]}
      />
    </Card>
  );
}

/** Billing's view and provisioning's view of each service, side by side: they should agree (P-1, B-4..B-7). */
export function ServicesCard({ billing, provisioning }: { billing: ClientBilling; provisioning: ClientProvisioning }) {
  const { t } = useTranslation();
  const byId = new Map(provisioning.services.map((s) => [s.id, s]));
  const ids = [...new Set([...billing.services.map((s) => s.id), ...provisioning.services.map((s) => s.id)])];
  return (
    <Card title={t("console.client.services")}>
      {ids.length === 0 ? (
        <EmptyState title={t("console.client.noServices")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.service.name")}</th>
              <th>{t("console.service.billing")}</th>
              <th>{t("console.service.provisioning")}</th>
              <th>{t("console.service.nextDue")}</th>
              <th>{t("console.service.driver")}</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((sid) => {
              const b = billing.services.find((s) => s.id === sid);
              const p = byId.get(sid);
              return (
                <tr key={sid} data-testid="client-service">
                  <td>
                    <strong>{b?.product_name || p?.product_name}</strong>
                    <br />
                    <span className="muted">{b?.domain ?? p?.domain ?? ""}</span>
                  </td>
                  <td data-label={t("console.service.billing")}>{b ? <StatusBadge kind="service" status={b.status} /> : "—"}</td>
                  <td data-label={t("console.service.provisioning")} data-testid="provisioning-state">
                    {p ? <StatusBadge kind="service" status={p.state} /> : "—"}
                  </td>
                  <td data-label={t("console.service.nextDue")}>{b ? formatDate(b.next_due_on, locale()) : "—"}</td>
                  <td data-label={t("console.service.driver")}>
                    {p ? `${p.driver}${p.server ? ` · ${p.server}` : ""}${p.username ? ` · ${p.username}` : ""}` : "—"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function ResendButton({ invoice }: { invoice: StaffInvoice }) {
  const { t } = useTranslation();
  const resend = useResendInvoice();
  if (invoice.status !== "unpaid") return null;
  if (resend.isSuccess) return <span className="muted small">{t("console.invoice.resent")}</span>;
  return (
    <Button variant="ghost" className="btn-small" busy={resend.isPending} onClick={() => resend.mutate(invoice.id)}>
      {t("console.invoice.resend")}
    </Button>
  );
}

function InvoiceActions({ invoice }: { invoice: StaffInvoice }) {
  const { t } = useTranslation();
  const action = invoice.status === "unpaid" ? "waive" : invoice.status === "paid" ? "refund" : null;
  const mutation = useInvoiceAction(action ?? "waive");
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  if (!action) return null;
  if (!open)
    return (
      <Button variant="ghost" className="btn-small" onClick={() => setOpen(true)}>
        {t(`console.invoice.${action}`)}
      </Button>
    );
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate({ invoiceId: invoice.id, reason: reason.trim() });
      }}
    >
      <Field label={t("console.invoice.reason")} value={reason} minLength={3} maxLength={500} required onChange={(e) => setReason(e.target.value)} />
      <Button type="submit" variant={action === "refund" ? "danger" : "primary"} className="btn-small" busy={mutation.isPending}>
        {t(`console.invoice.${action}Confirm`)}
      </Button>
      <Button variant="ghost" className="btn-small" onClick={() => setOpen(false)}>
        {t("common.cancel")}
      </Button>
      <ErrorNotice error={mutation.error} />
    </form>
  );
}

export function InvoicesTable({ invoices, actions = true }: { invoices: StaffInvoice[]; actions?: boolean }) {
  const { t } = useTranslation();
  if (!invoices.length) return <EmptyState title={t("console.invoice.none")} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t("console.invoice.number")}</th>
          <th>{t("console.invoice.status")}</th>
          <th>{t("console.invoice.due")}</th>
          <th>{t("console.invoice.reference")}</th>
          <th className="num">{t("console.invoice.total")}</th>
          {actions && <th>{t("console.invoice.actions")}</th>}
        </tr>
      </thead>
      <tbody>
        {invoices.map((i) => (
          <tr key={i.id} data-testid="staff-invoice">
            <td>
              {i.number}
              <br />
              <span className="muted">{t(`console.invoice.kind.${i.kind}`, { defaultValue: i.kind })}</span>
            </td>
            <td>
              <StatusBadge kind="invoice" status={i.status} />
            </td>
            <td data-label={t("console.invoice.due")}>{formatDate(i.due_on, locale())}</td>
            <td data-label={t("console.invoice.reference")}>
              <code>{i.payment_reference}</code>
            </td>
            <td className="num">
              <Amount value={i.total_due} />
            </td>
            {actions && (
              <td className="row-actions">
                <InvoiceActions invoice={i} />
                <ResendButton invoice={i} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PaymentsCard({ billing }: { billing: ClientBilling }) {
  const { t } = useTranslation();
  return (
    <Card title={t("console.client.payments")}>
      {billing.payments.length === 0 ? (
        <EmptyState title={t("console.client.noPayments")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.payment.when")}</th>
              <th>{t("console.invoice.number")}</th>
              <th>{t("console.payment.method")}</th>
              <th className="num">{t("console.payment.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {billing.payments.map((p) => (
              <tr key={p.id}>
                <td>{formatDateTime(p.received_at, locale())}</td>
                <td data-label={t("console.invoice.number")}>{p.invoice_number}</td>
                <td data-label={t("console.payment.method")}>{p.method}</td>
                <td className="num">
                  <Amount value={p.amount} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function CreditCard({ billing }: { billing: ClientBilling }) {
  const { t } = useTranslation();
  return (
    <Card
      title={t("console.client.credit")}
      actions={
        <span className="muted">
          {billing.credit_balances.length
            ? billing.credit_balances.map((b) => <Amount key={b.currency} value={b} className="credit-balance" />)
            : t("console.client.noCredit")}
        </span>
      }
    >
      {billing.credit_movements.length > 0 && (
        <ul className="plain-list">
          {billing.credit_movements.map((m) => (
            <li key={m.id}>
              <span className="muted">{formatDate(m.created_at, locale())}</span> <Amount value={m.amount} /> · {m.reason}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function MessagesCard({ messages }: { messages: Delivery[] }) {
  const { t } = useTranslation();
  return (
    <Card title={t("console.client.messages")}>
      {messages.length === 0 ? (
        <EmptyState title={t("console.client.noMessages")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.message.subject")}</th>
              <th>{t("console.message.channel")}</th>
              <th>{t("console.message.status")}</th>
              <th>{t("console.message.opened")}</th>
            </tr>
          </thead>
          <tbody>
            {messages.slice(0, 50).map((m) => (
              <tr key={m.id}>
                <td>
                  {m.subject}
                  <br />
                  <span className="muted">{formatDateTime(m.sent_at ?? m.created_at, locale())}</span>
                </td>
                <td data-label={t("console.message.channel")}>{m.channel}</td>
                <td data-label={t("console.message.status")}>
                  <span className="badge badge-muted">{t(`console.message.statuses.${m.status}`, { defaultValue: m.status })}</span>
                </td>
                <td data-label={t("console.message.opened")}>{m.open_count ? t("console.message.openedTimes", { count: m.open_count }) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

type Entry = { at: string; who: string; what: string; detail: string };

/** Item 7: every staff action and every automated decision on the client, from the three services, newest first. */
export function AuditCard({ gateway, billing, provisioning }: { gateway: GatewayAudit[]; billing: ClientBilling; provisioning: ClientProvisioning }) {
  const { t } = useTranslation();
  const names = useStaffNames();
  const staff = (id: string) => names.get(id) ?? t("console.audit.staffId", { id: id.slice(0, 8) });
  const detail = (d: Record<string, unknown>) =>
    Object.entries(d)
      .filter(([, v]) => typeof v === "string" || typeof v === "number")
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(" · ");
  const entries: Entry[] = [
    ...gateway.map((a) => ({ at: a.at, who: a.actor_email, what: t(`console.audit.actions.${a.action}`, { defaultValue: a.action }), detail: detail(a.details) })),
    ...billing.audit.map((a) => ({ at: a.at, who: staff(a.actor_id), what: t(`console.audit.actions.${a.action}`, { defaultValue: a.action }), detail: detail(a.details) })),
    ...provisioning.audit.map((a) => ({
      at: a.at,
      who: a.actor_id ? staff(a.actor_id) : t(`console.audit.by.${a.decided_by}`, { defaultValue: a.decided_by }),
      what: `${t(`console.audit.actions.${a.action}`, { defaultValue: a.action })}: ${a.from_state ?? "—"} → ${a.to_state}`,
      detail: [a.rule, a.note].filter(Boolean).join(" · "),
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Card title={t("console.client.audit")}>
      {entries.length === 0 ? (
        <EmptyState title={t("console.audit.none")} />
      ) : (
        <ol className="audit-list">
          {entries.slice(0, 100).map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <span className="muted">{formatDateTime(e.at, locale())}</span> · <strong>{e.who}</strong> · {e.what}
              {e.detail && <span className="muted"> · {e.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
