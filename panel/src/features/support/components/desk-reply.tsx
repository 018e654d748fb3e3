// The desk's answer box: a reply (mailed to the client, shown in its panel at once) or an internal note; a canned
// reply can start it; the reply leaves the ticket answered, waiting on the client, or closed (S-1, S-3's clocks).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, SelectField } from "@/components/ui";

import { useAddCannedReply, useCannedReplies, useStaffReply } from "../api/desk";
import { type AttachmentIn } from "../api";
import { FilePicker, TextArea } from "./parts";

type After = "answered" | "waiting_on_client" | "closed";

export function DeskReply({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const canned = useCannedReplies();
  const reply = useStaffReply(ticketId);
  const save = useAddCannedReply();
  const [message, setMessage] = useState("");
  const [note, setNote] = useState(false);
  const [cannedId, setCannedId] = useState("");
  const [after, setAfter] = useState<After>("answered");
  const [files, setFiles] = useState<AttachmentIn[] | null>([]);
  const [pickerKey, setPickerKey] = useState(0);
  const [done, setDone] = useState<"sent" | "noteSaved" | null>(null);
  const [cannedTitle, setCannedTitle] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (files === null) return;
    const wasNote = note;
    reply.mutate(
      {
        message: message.trim() || undefined,
        internal: note,
        status: note ? undefined : after,
        canned_reply_id: !note && cannedId ? cannedId : undefined,
        attachments: files,
      },
      {
        onSuccess: () => {
          setMessage("");
          setCannedId("");
          setFiles([]);
          setPickerKey(pickerKey + 1);
          setDone(wasNote ? "noteSaved" : "sent");
        },
      },
    );
  };
  const empty = !message.trim() && !(cannedId && !note);
  return (
    <Card title={t("support.desk.answer")}>
      <form className="form" onSubmit={submit}>
        <label className="choice">
          <input type="checkbox" checked={note} onChange={(e) => setNote(e.target.checked)} />
          <span className="choice-title">{t("support.desk.note")}</span>
        </label>
        {note ? (
          <p className="field-hint">{t("support.desk.noteHint")}</p>
        ) : (
          <SelectField label={t("support.desk.canned")} value={cannedId} onChange={(e) => setCannedId(e.target.value)}>
            <option value="">{t("support.desk.noCanned")}</option>
            {(canned.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </SelectField>
        )}
        {!note && cannedId && <p className="message-body field-hint">{canned.data?.find((c) => c.id === cannedId)?.body}</p>}
        <TextArea
          label={note ? t("support.desk.noteText") : t("support.desk.answerLabel")}
          maxLength={20000}
          value={message}
          onChange={(e) => {
            setMessage(e.target.value);
            setDone(null);
          }}
        />
        <FilePicker key={pickerKey} onChange={setFiles} />
        {!note && (
          <SelectField label={t("support.desk.then")} value={after} onChange={(e) => setAfter(e.target.value as After)}>
            <option value="answered">{t("support.statuses.answered")}</option>
            <option value="waiting_on_client">{t("support.statuses.waiting_on_client")}</option>
            <option value="closed">{t("support.statuses.closed")}</option>
          </SelectField>
        )}
        {done && <Notice tone="ok">{t(`support.desk.${done}`)}</Notice>}
        <ErrorNotice error={reply.error ?? save.error} />
        <div className="inline-actions">
          <Button type="submit" busy={reply.isPending} disabled={empty || files === null}>
            {note ? t("support.desk.saveNote") : t("support.desk.sendAnswer")}
          </Button>
        </div>
        {!note && message.trim() && (
          <div className="inline-form">
            <Field label={t("support.desk.cannedTitle")} maxLength={200} value={cannedTitle} onChange={(e) => setCannedTitle(e.target.value)} />
            <Button
              variant="secondary"
              busy={save.isPending}
              disabled={!cannedTitle.trim()}
              onClick={() => save.mutate({ title: cannedTitle.trim(), body: message.trim() }, { onSuccess: () => setCannedTitle("") })}
            >
              {t("support.desk.addCanned")}
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
