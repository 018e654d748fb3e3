// /staff/support/tickets/:id: a ticket at the desk (issue 16 item 5): the thread with internal notes, the answer box
// (reply, note, canned replies), SLA due times, assignment and status, merging a duplicate, quotes (S-6) and the
// client's remote-support appointments (S-7).
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { useTicket } from "@/features/support/api";
import { useStaffMembers } from "@/features/support/api/desk";
import { DeskAppointments } from "@/features/support/components/desk-appointments";
import { PriorityBadge } from "@/features/support/components/desk-parts";
import { DeskQuotes } from "@/features/support/components/desk-quote";
import { DeskReply } from "@/features/support/components/desk-reply";
import { DeskAssignment, DeskClocks, DeskMerge, DeskThread } from "@/features/support/components/desk-ticket";
import { SupportBadge } from "@/features/support/components/parts";

export default function StaffSupportTicketRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const me = useMe();
  const ticket = useTicket(id);
  const staff = useStaffMembers();
  if (ticket.isPending) return <Spinner />;
  if (ticket.isError) return <ErrorNotice error={ticket.error} />;
  const data = ticket.data;
  const names = new Map((staff.data ?? []).map((s) => [s.id, s.name]));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff/support">← {t("support.desk.back")}</Link>
      </p>
      <PageHeader
        title={data.subject}
        subtitle={
          <>
            #{data.code} · {t(`support.desk.channels.${data.channel}`, { defaultValue: data.channel })} ·{" "}
            <Link to={`/staff/clients/${data.client_id}`}>{t("support.desk.seeClient")}</Link>
          </>
        }
        actions={
          <>
            <SupportBadge group="statuses" status={data.status} /> <PriorityBadge priority={data.priority} />
          </>
        }
      />
      <div className="grid-main">
        <div className="form">
          <DeskThread ticket={data} names={names} />
          {!data.merged_into && <DeskReply ticketId={data.id} />}
          <DeskQuotes ticketId={data.id} />
        </div>
        <aside className="form">
          <DeskClocks ticket={data} />
          <DeskAssignment key={data.assigned_to ?? "none"} ticket={data} staff={staff.data ?? []} meId={me.data?.id} />
          <DeskMerge ticket={data} />
          <DeskAppointments clientId={data.client_id} />
        </aside>
      </div>
    </>
  );
}
