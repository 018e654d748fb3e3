// Staff: declare an incident on a server (its clients are told, N-2), post its updates and resolve it (S-4).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, SelectField } from "@/components/ui";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { type StatusIncident } from "../api";
import { INCIDENT_STATUSES, useDeclareIncident, useUpdateIncident, type IncidentStatus, type StaffServer } from "../api/console";
import { ServerSelect, StatusPageItems } from "./console-parts";

function MessageBox({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={3} required maxLength={5000} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function Declare({ servers }: { servers: StaffServer[] }) {
  const { t } = useTranslation();
  const declare = useDeclareIncident();
  const [server, setServer] = useState("");
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    declare.mutate({ server, title: title.trim(), message: message.trim() }, { onSuccess: () => { setTitle(""); setMessage(""); } });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t("status_console.declare")}>
      <h3>{t("status_console.declare")}</h3>
      <ServerSelect servers={servers} value={server} onChange={setServer} />
      <Field label={t("status_console.incidentTitle")} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <MessageBox id="incident-message" label={t("status_console.message")} value={message} onChange={setMessage} />
      <ErrorNotice error={declare.error} />
      <div>
        <Button type="submit" busy={declare.isPending}>
          {t("status_console.open")}
        </Button>
      </div>
    </form>
  );
}

function Update({ incident }: { incident: StatusIncident }) {
  const { t } = useTranslation();
  const update = useUpdateIncident();
  const [status, setStatus] = useState<IncidentStatus>("identified");
  const [message, setMessage] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ id: incident.id, body: { status, message: message.trim() } }, { onSuccess: () => setMessage("") });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t("status_console.updateOf", { title: incident.title })}>
      <SelectField label={t("status_console.newStatus")} value={status} onChange={(e) => setStatus(e.target.value as IncidentStatus)}>
        {INCIDENT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status_page.statuses.${s}`)}
          </option>
        ))}
      </SelectField>
      <MessageBox id={`update-${incident.id}`} label={t("status_console.message")} value={message} onChange={setMessage} />
      <ErrorNotice error={update.error} />
      <div>
        <Button type="submit" variant="secondary" busy={update.isPending}>
          {status === "resolved" ? t("status_console.resolve") : t("status_console.postUpdate")}
        </Button>
      </div>
    </form>
  );
}

export function IncidentsCard({ servers }: { servers: StaffServer[] }) {
  const { t } = useTranslation();
  return (
    <Card title={t("status_console.incidents")}>
      <Declare servers={servers} />
      <StatusPageItems pick={(page) => page.incidents} empty={t("status_page.noIncidents")}>
        {(incidents) => (
          <ul className="status-list">
            {incidents.map((incident) => (
              <li key={incident.id} className="status-item" data-testid="console-incident">
                <h3>
                  {incident.title}{" "}
                  <span className={`badge badge-${incident.resolved_at ? "ok" : "bad"}`} data-status={incident.status}>
                    {t(`status_page.statuses.${incident.status}`, { defaultValue: incident.status })}
                  </span>
                </h3>
                <p className="status-meta">
                  {incident.server_label} · {t(`status_console.sources.${incident.source}`, { defaultValue: incident.source })} ·{" "}
                  {t("status_page.started", { when: formatDateTime(incident.started_at, locale()) })}
                </p>
                <ol className="status-updates">
                  {incident.updates.map((u) => (
                    <li key={`${u.at}-${u.status}`}>
                      <p className="status-meta">
                        <strong>{t(`status_page.statuses.${u.status}`, { defaultValue: u.status })}</strong> · {formatDateTime(u.at, locale())}
                      </p>
                      <p>{u.message}</p>
                    </li>
                  ))}
                </ol>
                {!incident.resolved_at && <Update incident={incident} />}
              </li>
            ))}
          </ul>
        )}
      </StatusPageItems>
    </Card>
  );
}
