// Staff console (issue 21 item 4): domains by expiry, soonest first, and the registrar's failing operations with
// their last error and an audited "retry now" (P-4). Nothing here suspends or deletes a domain (P-5, D-2).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, Spinner } from "@/components/ui";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useRegistrarErrors, useRetryRegistrarAction, useStaffDomains } from "../api/staff";
import { DomainBadge } from "./status";

function inDays(days: number): string {
  const day = new Date(Date.now() + days * 86_400_000);
  return day.toISOString().slice(0, 10);
}

export function DomainsByExpiry() {
  const { t } = useTranslation();
  const [before, setBefore] = useState(inDays(90));
  const domains = useStaffDomains(before);
  return (
    <Card title={t("domains.staff.byExpiry")}>
      <div className="filters">
        <Field label={t("domains.staff.expiringBefore")} type="date" value={before} onChange={(e) => setBefore(e.target.value)} />
      </div>
      {domains.isPending ? (
        <Spinner />
      ) : domains.isError ? (
        <ErrorNotice error={domains.error} />
      ) : domains.data.length === 0 ? (
        <EmptyState title={t("domains.staff.none")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("domains.domain")}</th>
              <th>{t("domains.expires")}</th>
              <th>{t("domains.status")}</th>
              <th>{t("domains.staff.order")}</th>
            </tr>
          </thead>
          <tbody>
            {domains.data.map((d) => (
              <tr key={d.service_id} data-testid="staff-domain-row">
                <td>
                  <Link to={`/staff/clients/${d.client_id}`}>{d.name}</Link>
                </td>
                <td data-label={t("domains.expires")}>{d.expires_on ? formatDate(d.expires_on, locale()) : "—"}</td>
                <td data-label={t("domains.status")}>
                  <DomainBadge status={d.status} />
                </td>
                <td data-label={t("domains.staff.order")}>{d.registrar_order_id ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function RegistrarErrors() {
  const { t } = useTranslation();
  const errors = useRegistrarErrors();
  const retry = useRetryRegistrarAction();
  return (
    <Card title={t("domains.staff.errors")}>
      {errors.isPending ? (
        <Spinner />
      ) : errors.isError ? (
        <ErrorNotice error={errors.error} />
      ) : errors.data.length === 0 ? (
        <EmptyState title={t("domains.staff.noErrors")} />
      ) : (
        <ul className="plain-list">
          {errors.data.map((a) => (
            <li key={a.id} className="failed-action" data-testid="registrar-error">
              <div>
                <strong>
                  {a.client_id ? <Link to={`/staff/clients/${a.client_id}`}>{a.domain ?? a.service_id}</Link> : (a.domain ?? a.service_id)}
                </strong>{" "}
                · {t(`domains.staff.kinds.${a.kind}`, { defaultValue: a.kind })}
                <br />
                <span className="muted">{t("domains.staff.attempts", { count: a.attempts, next: formatDateTime(a.next_attempt_at, locale()) })}</span>
                <pre className="error-text">{a.last_error}</pre>
              </div>
              <Button variant="secondary" className="btn-small" busy={retry.isPending && retry.variables === a.id} onClick={() => retry.mutate(a.id)}>
                {t("domains.staff.retry")}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {retry.isSuccess && <Notice tone="ok">{t("domains.staff.retried")}</Notice>}
      <ErrorNotice error={retry.error} />
    </Card>
  );
}
