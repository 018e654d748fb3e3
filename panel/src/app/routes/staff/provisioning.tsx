// Item 4: services by state, driver and server; failed driver actions with their errors and a retry (P-4); manual
// tasks with their business-day deadlines, overdue first (P-3); hosting migration requests (P-8). No suspend/unsuspend/terminate here (P-5).
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, SelectField, Spinner, StatusBadge } from "@/components/ui";
import { StaffMigrations } from "@/features/migrations/components/staff-migrations";
import { useFacets, useFailedActions, useRetryAction, useStaffServices, useTasks } from "@/features/staff/api";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

function Services() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const facets = useFacets();
  const filters = Object.fromEntries(["q", "state", "driver", "server"].map((k) => [k, params.get(k) ?? ""]).filter(([, v]) => v));
  const services = useStaffServices(filters);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const rows = facets.data ?? [];
  const distinct = (pick: (f: (typeof rows)[number]) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => !!v))].sort();
  const byState = distinct((f) => f.state).map((state) => [state, rows.filter((f) => f.state === state).reduce((n, f) => n + f.count, 0)] as const);
  return (
    <Card title={t("console.provisioning.services")}>
      <ul className="facet-list">
        {byState.map(([state, count]) => (
          <li key={state}>
            <button type="button" className="linklike" onClick={() => set("state", state)}>
              <StatusBadge kind="service" status={state} /> {count}
            </button>
          </li>
        ))}
      </ul>
      <div className="filters">
        <Field label={t("console.provisioning.q")} type="search" maxLength={64} value={params.get("q") ?? ""} onChange={(e) => set("q", e.target.value)} />
        <SelectField label={t("console.provisioning.state")} value={params.get("state") ?? ""} onChange={(e) => set("state", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {distinct((f) => f.state).map((s) => (
            <option key={s} value={s}>
              {t(`status.service.${s}`, { defaultValue: s })}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("console.provisioning.driver")} value={params.get("driver") ?? ""} onChange={(e) => set("driver", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {distinct((f) => f.driver).map((d) => (
            <option key={d}>{d}</option>
          ))}
        </SelectField>
        <SelectField label={t("console.provisioning.server")} value={params.get("server") ?? ""} onChange={(e) => set("server", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {distinct((f) => f.server).map((s) => (
            <option key={s}>{s}</option>
          ))}
        </SelectField>
      </div>
      {services.isPending ? (
        <Spinner />
      ) : services.isError ? (
        <ErrorNotice error={services.error} />
      ) : services.data.length === 0 ? (
        <EmptyState title={t("console.provisioning.noServices")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.service.name")}</th>
              <th>{t("console.provisioning.state")}</th>
              <th>{t("console.service.driver")}</th>
              <th>{t("console.provisioning.since")}</th>
            </tr>
          </thead>
          <tbody>
            {services.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/staff/clients/${s.client_id}`}>{s.domain ?? s.product_name}</Link>
                  <br />
                  <span className="muted">{s.product_name}</span>
                </td>
                <td>
                  <StatusBadge kind="service" status={s.state} />
                </td>
                <td data-label={t("console.service.driver")}>
                  {s.driver}
                  {s.server ? ` · ${s.server}` : ""}
                </td>
                <td data-label={t("console.provisioning.since")}>{formatDate(s.created_at, locale())}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function FailedActions() {
  const { t } = useTranslation();
  const actions = useFailedActions();
  const retry = useRetryAction();
  return (
    <Card title={t("console.provisioning.failed")}>
      {actions.isPending ? (
        <Spinner />
      ) : actions.isError ? (
        <ErrorNotice error={actions.error} />
      ) : actions.data.length === 0 ? (
        <EmptyState title={t("console.provisioning.noFailed")} />
      ) : (
        <ul className="plain-list">
          {actions.data.map((a) => (
            <li key={a.id} className="failed-action">
              <div>
                <strong>
                  {t(`console.provisioning.kinds.${a.kind}`, { defaultValue: a.kind })} · {a.driver}
                </strong>{" "}
                <span className="muted">{t("console.provisioning.attempts", { count: a.attempts, next: formatDateTime(a.next_attempt_at, locale()) })}</span>
                <pre className="error-text">{a.last_error}</pre>
              </div>
              <Button variant="secondary" className="btn-small" busy={retry.isPending && retry.variables === a.id} onClick={() => retry.mutate(a.id)}>
                {t("console.provisioning.retry")}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={retry.error} />
    </Card>
  );
}

function Tasks() {
  const { t } = useTranslation();
  const tasks = useTasks();
  return (
    <Card title={t("console.provisioning.tasks")}>
      {tasks.isPending ? (
        <Spinner />
      ) : tasks.isError ? (
        <ErrorNotice error={tasks.error} />
      ) : tasks.data.length === 0 ? (
        <EmptyState title={t("console.provisioning.noTasks")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.provisioning.task")}</th>
              <th>{t("console.provisioning.due")}</th>
            </tr>
          </thead>
          <tbody>
            {[...tasks.data]
              .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.due_on.localeCompare(b.due_on))
              .map((task) => (
                <tr key={task.id}>
                  <td>
                    <Link to={`/staff/clients/${task.client_id}`}>{task.title}</Link>
                    <br />
                    <span className="muted">{t(`kind.${task.product_kind}`, { defaultValue: task.product_kind })}</span>
                  </td>
                  <td data-label={t("console.provisioning.due")}>
                    {formatDate(task.due_on, locale())} {task.overdue && <span className="badge badge-bad">{t("console.provisioning.overdue")}</span>}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export default function StaffProvisioningRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("console.provisioning.title")} subtitle={t("console.provisioning.lead")} />
      <FailedActions />
      <Tasks />
      <StaffMigrations />
      <Services />
    </>
  );
}
