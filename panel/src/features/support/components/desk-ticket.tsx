// The desk's ticket panels: the whole thread (internal notes marked), the SLA clocks with their due times, who has
// the ticket, its status, and merging a duplicate of the same client (S-1, S-3, issue 16 item 5).
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, DefinitionList, ErrorNotice, Notice, SelectField } from "@/components/ui";

import { type TicketDetail } from "../api";
import { useDeskQueue, useMergeTicket, useUpdateTicket, type StaffMember } from "../api/desk";
import { DeadlineCell } from "./desk-parts";
import { when } from "./parts";
import { Thread } from "./thread";

export function DeskThread({ ticket, names }: { ticket: TicketDetail; names: Map<string, string> }) {
  const { t } = useTranslation();
  return (
    <Card title={t("support.thread")}>
      <Thread
        ticket={ticket}
        testId="desk-message"
        mine={(m) => m.author !== "client"}
        meta={(m) => (
          <>
            <strong>{m.author === "client" ? t("support.desk.clientAuthor") : (m.author_id && names.get(m.author_id)) || t("support.desk.staffAuthor")}</strong>
            {m.internal && ` · ${t("support.desk.note")}`} · {when(m.created_at)} · {t(`support.desk.channels.${m.channel}`, { defaultValue: m.channel })}
          </>
        )}
      />
    </Card>
  );
}

export function DeskClocks({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  return (
    <Card title={t("support.sla")}>
      <DefinitionList
        items={[
          [t("support.nextDeadline"), <DeadlineCell key="next" at={ticket.next_deadline_at} />],
          [t("support.firstResponseDue"), when(ticket.first_response_due_at)],
          [t("support.firstRespondedAt"), when(ticket.first_responded_at)],
          [t("support.resolutionDue"), when(ticket.resolution_due_at)],
          [t("support.desk.department"), `${ticket.sla_class} · ${t(`support.classes.${ticket.sla_class}`)}`],
          [t("support.desk.plan"), t(`support.plans.${ticket.plan}`)],
          [t("support.desk.opened"), when(ticket.opened_at)],
        ]}
      />
    </Card>
  );
}

export function DeskAssignment({ ticket, staff, meId }: { ticket: TicketDetail; staff: StaffMember[]; meId: string | undefined }) {
  const { t } = useTranslation();
  const update = useUpdateTicket(ticket.id);
  const [to, setTo] = useState(ticket.assigned_to ?? "");
  const current = staff.find((s) => s.id === ticket.assigned_to);
  return (
    <Card title={t("support.desk.assignment")}>
      <p data-testid="assignee">{current ? t("support.desk.assigned", { name: current.name }) : t("support.desk.unassigned")}</p>
      <div className="inline-form">
        <SelectField label={t("support.desk.assignTo")} value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="">{t("support.desk.unassigned")}</option>
          {staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <Button variant="secondary" busy={update.isPending} onClick={() => update.mutate(to ? { assigned_to: to } : { unassign: true })}>
          {t("support.desk.assign")}
        </Button>
        {meId && ticket.assigned_to !== meId && (
          <Button
            variant="ghost"
            busy={update.isPending}
            onClick={() => {
              setTo(meId);
              update.mutate({ assigned_to: meId });
            }}
          >
            {t("support.desk.assignMe")}
          </Button>
        )}
      </div>
      <div className="inline-actions">
        {ticket.status === "closed" ? (
          <Button variant="secondary" busy={update.isPending} onClick={() => update.mutate({ status: "open" })}>
            {t("support.desk.reopen")}
          </Button>
        ) : (
          <>
            {ticket.status !== "waiting_on_client" && (
              <Button variant="ghost" busy={update.isPending} onClick={() => update.mutate({ status: "waiting_on_client" })}>
                {t("support.desk.waiting")}
              </Button>
            )}
            <Button variant="danger" busy={update.isPending} onClick={() => update.mutate({ status: "closed" })}>
              {t("support.desk.close")}
            </Button>
          </>
        )}
      </div>
      <ErrorNotice error={update.error} />
    </Card>
  );
}

export function DeskMerge({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const others = useClientTickets(ticket.client_id).filter((o) => o.id !== ticket.id);
  const merge = useMergeTicket(ticket.id);
  const [into, setInto] = useState("");
  if (ticket.merged_into) return <Notice tone="info">{t("support.desk.merged")}</Notice>;
  return (
    <Card title={t("support.desk.merge")}>
      <p className="field-hint">{t("support.desk.mergeLead")}</p>
      {others.length === 0 ? (
        <p className="muted">{t("support.desk.noOther")}</p>
      ) : (
        <div className="inline-form">
          <SelectField label={t("support.desk.mergeInto")} value={into} onChange={(e) => setInto(e.target.value)}>
            <option value="">—</option>
            {others.map((o) => (
              <option key={o.id} value={o.id}>
                #{o.code} · {o.subject}
              </option>
            ))}
          </SelectField>
          <Button variant="secondary" busy={merge.isPending} disabled={!into} onClick={() => merge.mutate(into)}>
            {t("support.desk.mergeButton")}
          </Button>
        </div>
      )}
      <ErrorNotice error={merge.error} />
    </Card>
  );
}

function useClientTickets(clientId: string) {
  return useDeskQueue({ client_id: clientId }).data ?? [];
}
