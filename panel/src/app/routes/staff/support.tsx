// /staff/support: the support desk's queue (issue 16 item 5, S-3): tickets to work on, breaching first, filtered by
// department (the SLA class), status, deadline and assignee; each row shows its next deadline and who has it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Card, EmptyState, ErrorNotice, Field, PageHeader, SelectField, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { useDeskQueue, useStaffMembers, type DeskFilters } from "@/features/support/api/desk";
import { DeadlineCell, PriorityBadge } from "@/features/support/components/desk-parts";
import { SupportBadge, when } from "@/features/support/components/parts";

const CLASSES = ["SLA1", "SLA2", "SLA3", "SLA4"] as const;
const STATUSES = ["open", "answered", "waiting_on_client", "closed"] as const;
const DUE = ["late", "1h", "4h", "24h"] as const;

function read(params: URLSearchParams): DeskFilters {
  const pick = <T extends string>(key: string, allowed: readonly T[]) => {
    const value = params.get(key);
    return value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
  };
  return {
    sla_class: pick("department", CLASSES),
    status: pick("status", STATUSES),
    due: pick("due", DUE),
    assignee: params.get("assignee") || undefined,
    q: params.get("q") || undefined,
  };
}

export default function StaffSupportRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const filters = read(params);
  const [q, setQ] = useState(filters.q ?? "");
  const queue = useDeskQueue(filters);
  const staff = useStaffMembers();
  const names = new Map((staff.data ?? []).map((s) => [s.id, s.name]));
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageHeader title={t("support.desk.title")} subtitle={t("support.desk.lead")} />
      <Card title={t("support.desk.filters")}>
        <form
          className="inline-form"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            set("q", q.trim());
          }}
        >
          <SelectField label={t("support.desk.department")} value={filters.sla_class ?? ""} onChange={(e) => set("department", e.target.value)}>
            <option value="">{t("support.desk.allDepartments")}</option>
            {CLASSES.map((c) => (
              <option key={c} value={c}>
                {c} · {t(`support.classes.${c}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("support.desk.state")} value={filters.status ?? ""} onChange={(e) => set("status", e.target.value)}>
            <option value="">{t("support.desk.openStates")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`support.statuses.${s}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("support.desk.deadline")} value={filters.due ?? ""} onChange={(e) => set("due", e.target.value)}>
            <option value="">{t("support.desk.anyDeadline")}</option>
            <option value="late">{t("support.desk.dueLate")}</option>
            <option value="1h">{t("support.desk.due1h")}</option>
            <option value="4h">{t("support.desk.due4h")}</option>
            <option value="24h">{t("support.desk.due24h")}</option>
          </SelectField>
          <SelectField label={t("support.desk.assignee")} value={filters.assignee ?? ""} onChange={(e) => set("assignee", e.target.value)}>
            <option value="">{t("support.desk.anyone")}</option>
            <option value="none">{t("support.desk.nobody")}</option>
            {me.data && <option value={me.data.id}>{t("support.desk.me")}</option>}
            {(staff.data ?? [])
              .filter((s) => s.id !== me.data?.id)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </SelectField>
          <Field label={t("support.desk.search")} type="search" value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} />
        </form>
      </Card>
      <Card title={queue.data ? t("support.desk.count", { count: queue.data.length }) : t("support.tickets")}>
        {queue.isPending ? (
          <Spinner />
        ) : queue.isError ? (
          <ErrorNotice error={queue.error} />
        ) : queue.data.length === 0 ? (
          <EmptyState title={t("support.desk.empty")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.desk.ticket")}</th>
                <th scope="col">{t("support.status")}</th>
                <th scope="col">{t("support.nextDeadline")}</th>
                <th scope="col">{t("support.desk.assignee")}</th>
                <th scope="col">{t("support.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.map((ticket) => (
                <tr key={ticket.id} data-testid="desk-row">
                  <td>
                    <Link to={`/staff/support/tickets/${ticket.id}`} className="row-title">
                      {ticket.subject}
                    </Link>
                    <div className="row-sub">
                      #{ticket.code} · {ticket.sla_class} · {t(`support.classes.${ticket.sla_class}`)}
                    </div>
                  </td>
                  <td data-label={t("support.status")}>
                    <SupportBadge group="statuses" status={ticket.status} /> <PriorityBadge priority={ticket.priority} />
                  </td>
                  <td data-label={t("support.nextDeadline")}>
                    <DeadlineCell at={ticket.next_deadline_at} />
                  </td>
                  <td data-label={t("support.desk.assignee")}>
                    {ticket.assigned_to ? (names.get(ticket.assigned_to) ?? "—") : <span className="muted">{t("support.desk.nobody")}</span>}
                  </td>
                  <td data-label={t("support.updated")}>{when(ticket.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
