// /support/new: a ticket with its kind (the SLA class, with the first-response time the client's plan gives it),
// the service it concerns, the message and attachments (S-1, S-2).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { Button, Card, ErrorNotice, Field, PageHeader, SelectField, Spinner } from "@/components/ui";
import { useBillingServices } from "@/features/services/api";

import { useOpenTicket, useSupportPlan, type AttachmentIn, type SlaClass } from "../api";
import { duration, FilePicker, TextArea } from "../components/parts";

const CLASSES: SlaClass[] = ["SLA1", "SLA3", "SLA2", "SLA4"];
const SLA3_CAP = 120;

export default function NewTicketRoute() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const plan = useSupportPlan();
  const services = useBillingServices();
  const open = useOpenTicket();
  const [subject, setSubject] = useState("");
  const [slaClass, setSlaClass] = useState<SlaClass>("SLA1");
  const [serviceId, setServiceId] = useState("");
  const [message, setMessage] = useState("");
  const [files, setFiles] = useState<AttachmentIn[] | null>([]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (files === null) return;
    open.mutate(
      { subject: subject.trim(), sla_class: slaClass, service_id: serviceId || null, message, attachments: files },
      { onSuccess: (ticket) => navigate(`/support/tickets/${ticket.id}`) },
    );
  };
  if (plan.isPending) return <Spinner />;
  // The plan's first-response target, counted on each class's calendar; SLA3 never later than 2 hours (S-3).
  const target = plan.data ? plan.data.first_response_minutes[plan.data.plan] : undefined;
  const minutes = (c: SlaClass) => (target === undefined ? undefined : c === "SLA3" ? Math.min(target, SLA3_CAP) : target);
  return (
    <>
      <p>
        <Link to="/support">← {t("support.title")}</Link>
      </p>
      <PageHeader title={t("support.newTitle")} subtitle={t("support.newLead")} />
      <form className="form" onSubmit={submit}>
        <Card>
          <div className="form">
          <Field label={t("support.subject")} required minLength={3} maxLength={200} value={subject} onChange={(e) => setSubject(e.target.value)} />
          <fieldset>
            <legend>{t("support.kind")}</legend>
            <div className="choices support-classes">
              {CLASSES.map((c) => (
                <label key={c} className="choice">
                  <input type="radio" name="sla_class" value={c} checked={c === slaClass} onChange={() => setSlaClass(c)} />
                  <span className="choice-title">{t(`support.classes.${c}`)}</span>
                  <span className="choice-sub">{t(`support.classHints.${c}`)}</span>
                  {minutes(c) !== undefined && (
                    <span className="choice-sub">{t("support.firstResponseIn", { time: duration(minutes(c) ?? 0, i18n.language) })}</span>
                  )}
                </label>
              ))}
            </div>
          </fieldset>
          <SelectField label={t("support.service")} value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
            <option value="">{t("support.noService")}</option>
            {(services.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.product_name}
                {s.domain ? ` · ${s.domain}` : ""}
              </option>
            ))}
          </SelectField>
          <TextArea label={t("support.message")} required maxLength={20000} value={message} onChange={(e) => setMessage(e.target.value)} />
          <FilePicker onChange={setFiles} />
          <ErrorNotice error={open.error} />
          <div className="inline-actions">
            <Button type="submit" busy={open.isPending} disabled={files === null || subject.trim().length < 3 || !message.trim()}>
              {t("support.send")}
            </Button>
          </div>
          </div>
        </Card>
      </form>
    </>
  );
}
