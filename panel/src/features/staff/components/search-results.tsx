import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Card, StatusBadge } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import type { SearchResults as Results } from "../api";
import { clientNumber, VerificationBadge } from "./labels";

export function SearchResults({ results }: { results: Results }) {
  const { t } = useTranslation();
  const { clients, invoices, services, tickets } = results;
  const nothing = !clients.length && !invoices.length && !services.length && !tickets.length;
  if (nothing) return <p className="muted">{t("console.search.nothing")}</p>;
  return (
    <div className="staff-results">
      {clients.length > 0 && (
        <Card title={t("console.search.clients", { count: clients.length })}>
          <ul className="result-list">
            {clients.map((c) => (
              <li key={c.id} data-testid="result-client">
                <Link to={`/staff/clients/${c.id}`} className="result-title">
                  {c.name}
                </Link>
                <span className="muted">
                  {clientNumber(c.number)} · {c.email}
                  {c.phone ? ` · ${c.phone}` : ""}
                </span>
                <VerificationBadge status={c.verification} closed={!!c.closed_at} />
              </li>
            ))}
          </ul>
        </Card>
      )}
      {invoices.length > 0 && (
        <Card title={t("console.search.invoices", { count: invoices.length })}>
          <table className="table">
            <thead>
              <tr>
                <th>{t("console.invoice.number")}</th>
                <th>{t("console.invoice.reference")}</th>
                <th>{t("console.invoice.status")}</th>
                <th>{t("console.invoice.due")}</th>
                <th className="num">{t("console.invoice.total")}</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => (
                <tr key={i.id} data-testid="result-invoice">
                  <td>
                    <Link to={`/staff/clients/${i.client_id}`}>{i.number}</Link>
                  </td>
                  <td data-label={t("console.invoice.reference")}>
                    <code>{i.payment_reference}</code>
                  </td>
                  <td>
                    <StatusBadge kind="invoice" status={i.status} />
                  </td>
                  <td data-label={t("console.invoice.due")}>{formatDate(i.due_on, locale())}</td>
                  <td className="num">
                    <Amount value={i.total_due} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {services.length > 0 && (
        <Card title={t("console.search.services", { count: services.length })}>
          <ul className="result-list">
            {services.map((s) => (
              <li key={s.id} data-testid="result-service">
                <Link to={`/staff/clients/${s.client_id}`} className="result-title">
                  {s.domain ?? s.product_name}
                </Link>
                <span className="muted">
                  {s.product_name}
                  {s.username ? ` · ${s.username}` : ""}
                </span>
                <StatusBadge kind="service" status={s.state} />
              </li>
            ))}
          </ul>
        </Card>
      )}
      {tickets.length > 0 && (
        <Card title={t("console.search.tickets", { count: tickets.length })}>
          <ul className="result-list">
            {tickets.map((tk) => (
              <li key={tk.id} data-testid="result-ticket">
                <Link to={`/staff/support/tickets/${tk.id}`} className="result-title">
                  {tk.code}
                </Link>
                <span className="muted">{tk.subject}</span>
                <span className="badge badge-muted">{t(`support.statuses.${tk.status}`, { defaultValue: tk.status })}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
