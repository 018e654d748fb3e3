// /support/tickets/:id: the thread, the SLA deadlines the client is promised (S-3), replies with attachments, the
// ticket's quotes (S-6). A staff reply arrives through the live stream (TicketReplied) without a reload.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Button, Card, DefinitionList, ErrorNotice, Notice, PageHeader, Spinner } from "@/components/ui";

import { useCloseTicket, useQuotes, useReply, useTicket, type AttachmentIn, type TicketDetail } from "../api";
import { QuoteCard } from "../components/quotes";
import { Thread } from "../components/thread";
import { FilePicker, SupportBadge, TextArea, when } from "../components/parts";

function Deadlines({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const next = ticket.next_deadline_at;
  const late = next !== null && next !== undefined && new Date(next).getTime() < Date.now();
  return (
    <Card title={t("support.sla")}>
      {next ? (
        <Notice tone={late ? "bad" : "info"} title={late ? t("support.deadlineLate") : t("support.deadlineRunning", { when: when(next) })} />
      ) : (
        <p className="muted">{t("support.noDeadline")}</p>
      )}
      <DefinitionList
        items={[
          [t("support.kind"), t(`support.classes.${ticket.sla_class}`)],
          [t("support.firstResponseDue"), when(ticket.first_response_due_at)],
          [t("support.firstRespondedAt"), when(ticket.first_responded_at)],
          [t("support.resolutionDue"), when(ticket.resolution_due_at)],
        ]}
      />
    </Card>
  );
}

export default function TicketRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const ticket = useTicket(id);
  const quotes = useQuotes();
  const reply = useReply(id);
  const close = useCloseTicket(id);
  const [message, setMessage] = useState("");
  const [files, setFiles] = useState<AttachmentIn[] | null>([]);
  const [pickerKey, setPickerKey] = useState(0);
  if (ticket.isPending) return <Spinner />;
  if (ticket.isError) return <ErrorNotice error={ticket.error} />;
  const data = ticket.data;
  const mine = (quotes.data ?? []).filter((q) => q.ticket_id === data.id);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (files === null) return;
    reply.mutate(
      { message, attachments: files },
      {
        onSuccess: () => {
          setMessage("");
          setFiles([]);
          setPickerKey(pickerKey + 1);
        },
      },
    );
  };
  return (
    <>
      <p>
        <Link to="/support">← {t("support.title")}</Link>
      </p>
      <PageHeader title={data.subject} subtitle={`#${data.code}`} actions={<SupportBadge group="statuses" status={data.status} />} />
      <div className="grid-main">
        <div className="form">
          <Card title={t("support.thread")}>
            <p className="summary-note">{t("support.live")}</p>
            <Thread
              ticket={data}
              testId="message"
              mine={(m) => m.author === "client"}
              meta={(m) => (
                <>
                  <strong>{m.author === "client" ? t("support.you") : t("support.staff")}</strong> · {when(m.created_at)}
                </>
              )}
            />
          </Card>
          {data.status === "closed" ? (
            <Notice tone="info">{t("support.closed")}</Notice>
          ) : (
            <Card title={t("support.reply")}>
              <form className="form" onSubmit={submit}>
                <TextArea label={t("support.replyLabel")} required maxLength={20000} value={message} onChange={(e) => setMessage(e.target.value)} />
                <FilePicker key={pickerKey} onChange={setFiles} />
                <ErrorNotice error={reply.error ?? close.error} />
                <div className="inline-actions">
                  <Button type="submit" busy={reply.isPending} disabled={!message.trim() || files === null}>
                    {t("support.sendReply")}
                  </Button>
                  <Button variant="ghost" busy={close.isPending} onClick={() => close.mutate()}>
                    {t("support.close")}
                  </Button>
                </div>
              </form>
            </Card>
          )}
        </div>
        <aside className="form">
          <Deadlines ticket={data} />
          {mine.map((quote) => (
            <QuoteCard key={quote.id} quote={quote} />
          ))}
        </aside>
      </div>
    </>
  );
}
