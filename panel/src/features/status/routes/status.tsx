// /status: the public status page `Estado del servicio` (issue 17, S-4), outside the signed-in shell so anyone can
// open it without an account: servers with their state and 30/90-day uptime, open and recent incidents with their
// updates (newest first, as support sends them), current and coming maintenance.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Brand, LanguageSwitch } from "@/components/layouts/app-layout";
import { Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { formatDateTime } from "@/lib/format";

import { useStatusPage, type StatusIncident, type StatusMaintenance, type StatusServer } from "../api";
import "../status.css";

const TONE: Record<string, string> = { operational: "ok", outage: "bad", maintenance: "warn", resolved: "ok", monitoring: "warn" };

function percent(value: string | number, language: string): string {
  return `${new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 3 }).format(Number(value))} %`;
}

function Servers({ servers }: { servers: StatusServer[] }) {
  const { t, i18n } = useTranslation();
  if (servers.length === 0) return <EmptyState title={t("status_page.noServers")} />;
  return (
    <div className="status-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("status_page.server")}</th>
            <th scope="col">{t("status_page.state")}</th>
            <th scope="col">{t("status_page.uptime30")}</th>
            <th scope="col">{t("status_page.uptime90")}</th>
          </tr>
        </thead>
        <tbody>
          {servers.map((server) => (
            <tr key={server.name} data-testid="status-server">
              <td>
                <span className="row-title">{server.label}</span>
                {server.services.length > 0 && (
                  <div className="row-sub">
                    {t("status_page.runs")}: {server.services.join(", ")}
                  </div>
                )}
              </td>
              <td>
                <span className={`badge badge-${TONE[server.state] ?? "muted"}`} data-state={server.state}>
                  {t(`status_page.states.${server.state}`, { defaultValue: server.state })}
                </span>
              </td>
              <td data-label={t("status_page.uptime30")}>{percent(server.uptime_30d, i18n.language)}</td>
              <td data-label={t("status_page.uptime90")}>{percent(server.uptime_90d, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Incidents({ incidents }: { incidents: StatusIncident[] }) {
  const { t, i18n } = useTranslation();
  if (incidents.length === 0) return <EmptyState title={t("status_page.noIncidents")} />;
  return (
    <ul className="status-list">
      {incidents.map((incident) => (
        <li key={incident.id} className="status-item" data-testid="status-incident">
          <h3>
            {incident.title}{" "}
            <span className={`badge badge-${TONE[incident.status] ?? "bad"}`} data-status={incident.status}>
              {t(`status_page.statuses.${incident.status}`, { defaultValue: incident.status })}
            </span>
          </h3>
          <p className="status-meta">
            {incident.server_label} · {t("status_page.started", { when: formatDateTime(incident.started_at, i18n.language) })}
            {incident.resolved_at && ` · ${t("status_page.resolvedAt", { when: formatDateTime(incident.resolved_at, i18n.language) })}`}
          </p>
          <ol className="status-updates">
            {incident.updates.map((update) => (
              <li key={`${update.at}-${update.status}`}>
                <p className="status-meta">
                  <strong>{t(`status_page.statuses.${update.status}`, { defaultValue: update.status })}</strong> ·{" "}
                  {formatDateTime(update.at, i18n.language)}
                </p>
                <p>{update.message}</p>
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ul>
  );
}

function Maintenance({ items }: { items: StatusMaintenance[] }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return <EmptyState title={t("status_page.noMaintenance")} />;
  return (
    <ul className="status-list">
      {items.map((item) => (
        <li key={item.id} className="status-item" data-testid="status-maintenance">
          <h3>
            {item.title}{" "}
            {item.in_progress && <span className="badge badge-warn">{t("status_page.inProgress")}</span>}
          </h3>
          <p className="status-meta">
            {item.server_label} ·{" "}
            {t("status_page.window", {
              from: formatDateTime(item.starts_at, i18n.language),
              to: formatDateTime(item.ends_at, i18n.language),
            })}
          </p>
          {item.description && <p>{item.description}</p>}
        </li>
      ))}
    </ul>
  );
}

export default function StatusRoute() {
  const { t, i18n } = useTranslation();
  const status = useStatusPage();
  return (
    <div className="status-shell">
      <header className="status-top">
        <Link to="/" aria-label="Abono">
          <Brand />
        </Link>
        <div className="status-top-actions">
          <LanguageSwitch />
          <Link to="/sign-in">{t("status_page.signIn")}</Link>
        </div>
      </header>
      <main className="status-main" id="main">
        <PageHeader title={t("status_page.title")} subtitle={t("status_page.lead")} />
        {status.isPending ? (
          <Spinner />
        ) : status.isError ? (
          <ErrorNotice error={status.error} />
        ) : (
          <>
            <p className={`status-overall status-overall-${status.data.state}`} data-testid="status-overall">
              {t(`status_page.overall.${status.data.state}`, { defaultValue: status.data.state })}
            </p>
            <Card title={t("status_page.incidents")}>
              <Incidents incidents={status.data.incidents} />
            </Card>
            <Card title={t("status_page.maintenance")}>
              <Maintenance items={status.data.maintenance} />
            </Card>
            <Card title={t("status_page.servers")}>
              <Servers servers={status.data.servers} />
            </Card>
            <p className="muted">{t("status_page.updatedAt", { when: formatDateTime(status.data.generated_at, i18n.language) })}</p>
          </>
        )}
      </main>
    </div>
  );
}
