// Staff: schedule a maintenance window on a server (announced at once; 48 hours ahead it is not downtime, S-4) and
// cancel one.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field } from "@/components/ui";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useCancelMaintenance, useScheduleMaintenance, type StaffServer } from "../api/console";
import { ServerSelect, StatusPageItems } from "./console-parts";

/** A `datetime-local` value is the browser's local time; the service takes an instant with its offset. */
function instant(local: string): string {
  return new Date(local).toISOString();
}

export function MaintenanceCard({ servers }: { servers: StaffServer[] }) {
  const { t } = useTranslation();
  const schedule = useScheduleMaintenance();
  const cancel = useCancelMaintenance();
  const [server, setServer] = useState("");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [starts, setStarts] = useState("");
  const [ends, setEnds] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    schedule.mutate(
      { server, title: title.trim(), description: description.trim(), starts_at: instant(starts), ends_at: instant(ends) },
      { onSuccess: () => { setTitle(""); setDescription(""); setStarts(""); setEnds(""); } },
    );
  };
  return (
    <Card title={t("status_console.maintenance")}>
      <form className="form" onSubmit={submit} aria-label={t("status_console.schedule")}>
        <h3>{t("status_console.schedule")}</h3>
        <p className="muted">{t("status_console.maintenanceHint")}</p>
        <ServerSelect servers={servers} value={server} onChange={setServer} />
        <Field label={t("status_console.maintenanceTitle")} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        <Field label={t("status_console.description")} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} />
        <div className="form-row">
          <Field label={t("status_console.starts")} type="datetime-local" required value={starts} onChange={(e) => setStarts(e.target.value)} />
          <Field label={t("status_console.ends")} type="datetime-local" required value={ends} onChange={(e) => setEnds(e.target.value)} />
        </div>
        <ErrorNotice error={schedule.error} />
        <div>
          <Button type="submit" busy={schedule.isPending}>
            {t("status_console.scheduleButton")}
          </Button>
        </div>
      </form>
      <StatusPageItems pick={(page) => page.maintenance} empty={t("status_page.noMaintenance")}>
        {(maintenance) => (
          <ul className="rows">
            {maintenance.map((m) => (
              <li key={m.id} className="row" data-testid="console-maintenance">
                <div>
                  <span className="row-title">{m.title}</span>
                  <span className="row-sub">
                    {m.server_label} · {t("status_page.window", { from: formatDateTime(m.starts_at, locale()), to: formatDateTime(m.ends_at, locale()) })}
                    {m.in_progress && ` · ${t("status_page.inProgress")}`}
                  </span>
                </div>
                <Button variant="danger" className="btn-small" busy={cancel.isPending && cancel.variables === m.id} onClick={() => cancel.mutate(m.id)}>
                  {t("status_console.cancelMaintenance")}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </StatusPageItems>
      <ErrorNotice error={cancel.error} />
    </Card>
  );
}
