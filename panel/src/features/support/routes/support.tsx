// /support: the client's tickets with their next deadline, pending quotes, and the way to open a ticket (S-1, S-3).
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";

import { useQuotes, useSupportPlan, useTickets } from "../api";
import { QuoteCard } from "../components/quotes";
import { SupportBadge, when } from "../components/parts";

export default function SupportRoute() {
  const { t } = useTranslation();
  const tickets = useTickets();
  const plan = useSupportPlan();
  const quotes = useQuotes();
  const open = (quotes.data ?? []).filter((q) => q.status === "sent");
  return (
    <>
      <PageHeader
        title={t("support.title")}
        subtitle={plan.data ? t("support.plan", { plan: t(`support.plans.${plan.data.plan}`) }) : t("support.lead")}
        actions={
          <>
            <Link className="btn btn-secondary" to="/help">
              {t("help.title")}
            </Link>
            <Link className="btn btn-secondary" to="/support/appointments">
              {t("support.appointments")}
            </Link>
            <Link className="btn btn-primary" to="/support/new">
              {t("support.open")}
            </Link>
          </>
        }
      />
      {open.map((quote) => (
        <QuoteCard key={quote.id} quote={quote} />
      ))}
      <Card title={t("support.tickets")}>
        {tickets.isPending ? (
          <Spinner />
        ) : tickets.isError ? (
          <ErrorNotice error={tickets.error} />
        ) : tickets.data.length === 0 ? (
          <EmptyState title={t("support.none")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("support.subject")}</th>
                <th scope="col">{t("support.status")}</th>
                <th scope="col">{t("support.nextDeadline")}</th>
                <th scope="col">{t("support.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {tickets.data.map((ticket) => (
                <tr key={ticket.id} data-testid="ticket-row">
                  <td>
                    <Link to={`/support/tickets/${ticket.id}`} className="row-title">
                      {ticket.subject}
                    </Link>
                    <div className="row-sub">
                      #{ticket.code} · {t(`support.classes.${ticket.sla_class}`)}
                    </div>
                  </td>
                  <td>
                    <SupportBadge group="statuses" status={ticket.status} />
                  </td>
                  <td data-label={t("support.nextDeadline")}>{when(ticket.next_deadline_at)}</td>
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
