// On a client's service page (issue 17, S-4): the open and recent incidents and the coming maintenance of the server
// the service sits on (support's /status/mine, the client's own services only). Nothing shown while all is well.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Card } from "@/components/ui";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useMyStatus } from "../api/console";
import "../status.css";

export function ServiceIncidents({ serviceId }: { serviceId: string }) {
  const { t } = useTranslation();
  const mine = useMyStatus();
  const entry = mine.data?.find((s) => s.service_id === serviceId);
  if (!entry || (entry.incidents.length === 0 && entry.maintenance.length === 0)) return null;
  const open = entry.incidents.some((i) => !i.resolved_at);
  return (
    <Card title={t("status_page.mine.title", { server: entry.server_label })} actions={<Link to="/status">{t("status_page.mine.all")}</Link>}>
      {open && (
        <p className="notice notice-bad" role="status">
          {t("status_page.mine.open")}
        </p>
      )}
      <ul className="status-list">
        {entry.incidents.map((incident) => (
          <li key={incident.id} className="status-item" data-testid="service-incident">
            <h3>
              {incident.title}{" "}
              <span className={`badge badge-${incident.resolved_at ? "ok" : "bad"}`} data-status={incident.status}>
                {t(`status_page.statuses.${incident.status}`, { defaultValue: incident.status })}
              </span>
            </h3>
            <p className="status-meta">{t("status_page.started", { when: formatDateTime(incident.started_at, locale()) })}</p>
            {incident.updates[0] && <p>{incident.updates[0].message}</p>}
          </li>
        ))}
        {entry.maintenance.map((m) => (
          <li key={m.id} className="status-item" data-testid="service-maintenance">
            <h3>
              {m.title} <span className="badge badge-warn">{m.in_progress ? t("status_page.inProgress") : t("status_page.mine.scheduled")}</span>
            </h3>
            <p className="status-meta">{t("status_page.window", { from: formatDateTime(m.starts_at, locale()), to: formatDateTime(m.ends_at, locale()) })}</p>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** On the client's list of services: a badge on each service whose server has an open incident. */
export function IncidentBadge({ serviceId }: { serviceId: string }) {
  const { t } = useTranslation();
  const mine = useMyStatus();
  const entry = mine.data?.find((s) => s.service_id === serviceId);
  if (!entry?.incidents.some((i) => !i.resolved_at)) return null;
  return (
    <span className="badge badge-bad" data-testid="incident-badge">
      {t("status_page.mine.badge")}
    </span>
  );
}
