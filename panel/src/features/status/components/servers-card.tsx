// Staff: the servers (known from provisioning's placements, or added here) with their health probe, HTTP or TCP like
// Gatus: after N failed checks the probe opens an incident by itself and resolves it after M good ones (S-4).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, EmptyState, ErrorNotice, Field, SelectField } from "@/components/ui";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { usePutServer, type StaffServer } from "../api/console";

type Form = { name: string; label: string; kind: "" | "http" | "tcp"; target: string; interval: string; timeout: string; failures: string; successes: string };
const EMPTY: Form = { name: "", label: "", kind: "", target: "", interval: "", timeout: "", failures: "", successes: "" };

function formOf(s: StaffServer): Form {
  return {
    name: s.name,
    label: s.label,
    kind: (s.probe_kind ?? "") as Form["kind"],
    target: s.probe_target ?? "",
    interval: String(s.probe_interval_seconds),
    timeout: String(s.probe_timeout_seconds),
    failures: String(s.failures_to_open),
    successes: String(s.successes_to_resolve),
  };
}

const number = (text: string) => (text.trim() ? Number(text) : null);

export function ServersCard({ servers }: { servers: StaffServer[] }) {
  const { t } = useTranslation();
  const put = usePutServer();
  const [form, setForm] = useState<Form>(EMPTY);
  const set = (key: keyof Form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const probe = form.kind ? { probe_kind: form.kind, probe_target: form.target.trim() } : {};
    put.mutate(
      {
        name: form.name.trim(),
        body: {
          label: form.label.trim(),
          ...probe,
          probe_interval_seconds: number(form.interval),
          probe_timeout_seconds: number(form.timeout),
          failures_to_open: number(form.failures),
          successes_to_resolve: number(form.successes),
        },
      },
      { onSuccess: () => setForm(EMPTY) },
    );
  };
  return (
    <Card title={t("status_console.servers")}>
      {servers.length === 0 ? (
        <EmptyState title={t("status_page.noServers")} />
      ) : (
        <div className="status-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("status_page.server")}</th>
                <th scope="col">{t("status_console.probe")}</th>
                <th scope="col">{t("status_console.lastCheck")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("status_console.edit")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <tr key={s.name} data-testid="console-server">
                  <td>
                    <span className="row-title">{s.label}</span>
                    <div className="row-sub">{s.name}</div>
                  </td>
                  <td data-label={t("status_console.probe")}>
                    {s.probe_kind ? `${s.probe_kind.toUpperCase()} ${s.probe_target}` : t("status_console.noProbe")}
                    {s.probe_kind && (
                      <div className="row-sub">
                        {t("status_console.thresholds", { every: s.probe_interval_seconds, failures: s.failures_to_open, successes: s.successes_to_resolve })}
                      </div>
                    )}
                  </td>
                  <td data-label={t("status_console.lastCheck")}>
                    {s.last_checked_at ? formatDateTime(s.last_checked_at, locale()) : "—"}
                    {s.consecutive_failures > 0 && <div className="text-bad">{t("status_console.failing", { count: s.consecutive_failures })}</div>}
                    {s.last_error && <div className="row-sub">{s.last_error}</div>}
                  </td>
                  <td>
                    <Button variant="ghost" className="btn-small" aria-label={t("status_console.editServer", { name: s.name })} onClick={() => setForm(formOf(s))}>
                      {t("status_console.edit")}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form" onSubmit={submit} aria-label={t("status_console.serverForm")}>
        <h3>{t("status_console.serverForm")}</h3>
        <div className="form-row">
          <Field label={t("status_console.name")} required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" value={form.name} onChange={set("name")} />
          <Field label={t("status_console.label")} required maxLength={200} value={form.label} onChange={set("label")} />
        </div>
        <div className="form-row">
          <SelectField label={t("status_console.probeKind")} value={form.kind} onChange={set("kind")}>
            <option value="">{t("status_console.noProbe")}</option>
            <option value="http">HTTP</option>
            <option value="tcp">TCP</option>
          </SelectField>
          <Field label={t("status_console.target")} hint={t("status_console.targetHint")} maxLength={500} required={form.kind !== ""} disabled={form.kind === ""} value={form.target} onChange={set("target")} />
        </div>
        <div className="form-row">
          <Field label={t("status_console.interval")} type="number" min={5} max={86400} value={form.interval} onChange={set("interval")} />
          <Field label={t("status_console.timeout")} type="number" min={0.1} max={60} step="any" value={form.timeout} onChange={set("timeout")} />
          <Field label={t("status_console.failures")} type="number" min={1} max={100} value={form.failures} onChange={set("failures")} />
          <Field label={t("status_console.successes")} type="number" min={1} max={100} value={form.successes} onChange={set("successes")} />
        </div>
        <ErrorNotice error={put.error} />
        <div className="inline-actions">
          <Button type="submit" busy={put.isPending}>
            {t("common.save")}
          </Button>
          {form !== EMPTY && (
            <Button variant="ghost" onClick={() => setForm(EMPTY)}>
              {t("common.cancel")}
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
