// /support/appointments: remote-support slots within business hours for plans that include it (S-7); the database
// refuses a double booking, so a slot taken meanwhile comes back as a conflict and the free slots refresh.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";

import { useAppointments, useBook, useCancelAppointment, useSlots, useSupportPlan } from "../api";
import { SupportBadge, when } from "../components/parts";

const ZONE = "America/Argentina/Buenos_Aires";

function tomorrow(): string {
  const date = new Date(Date.now() + 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(date); // YYYY-MM-DD
}

function hour(value: string, language: string): string {
  return new Intl.DateTimeFormat(language, { timeZone: ZONE, hour: "2-digit", minute: "2-digit" }).format(new Date(value));
}

function Booking() {
  const { t, i18n } = useTranslation();
  const [day, setDay] = useState(tomorrow());
  const [minutes, setMinutes] = useState(60);
  const [start, setStart] = useState("");
  const [topic, setTopic] = useState("");
  const slots = useSlots(day, minutes);
  const book = useBook();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    book.mutate({ starts_at: start, minutes, topic: topic.trim() }, { onSuccess: () => setStart("") });
  };
  return (
    <Card title={t("support.book")}>
      <form className="form" onSubmit={submit}>
        <div className="form-row">
          <Field label={t("support.day")} type="date" required min={tomorrow()} value={day} onChange={(e) => setDay(e.target.value)} />
          <SelectField label={t("support.duration")} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {[30, 60, 90, 120].map((m) => (
              <option key={m} value={m}>
                {t("support.minutes", { count: m })}
              </option>
            ))}
          </SelectField>
        </div>
        <fieldset>
          <legend>{t("support.slot")}</legend>
          {slots.isPending && day ? (
            <Spinner />
          ) : slots.isError ? (
            <ErrorNotice error={slots.error} />
          ) : (slots.data ?? []).length === 0 ? (
            <p className="muted">{t("support.noSlots")}</p>
          ) : (
            <div className="slots">
              {(slots.data ?? []).map((slot) => (
                <label key={slot.starts_at} className="choice">
                  <input type="radio" name="slot" value={slot.starts_at} checked={slot.starts_at === start} onChange={() => setStart(slot.starts_at)} />
                  <span className="choice-title">
                    {hour(slot.starts_at, i18n.language)}–{hour(slot.ends_at, i18n.language)}
                  </span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <Field label={t("support.topic")} required minLength={3} maxLength={200} value={topic} onChange={(e) => setTopic(e.target.value)} />
        {book.isSuccess && <Notice tone="ok">{t("support.booked", { when: when(book.data.starts_at) })}</Notice>}
        <ErrorNotice error={book.error} />
        <div className="inline-actions">
          <Button type="submit" busy={book.isPending} disabled={!start || topic.trim().length < 3}>
            {t("support.confirmBooking")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export default function AppointmentsRoute() {
  const { t } = useTranslation();
  const plan = useSupportPlan();
  const appointments = useAppointments();
  const cancel = useCancelAppointment();
  if (plan.isPending) return <Spinner />;
  if (plan.isError) return <ErrorNotice error={plan.error} />;
  const upcoming = (appointments.data ?? []).filter((a) => a.status === "booked");
  return (
    <>
      <p>
        <Link to="/support">← {t("support.title")}</Link>
      </p>
      <PageHeader title={t("support.appointments")} subtitle={t("support.appointmentsLead")} />
      {!plan.data.remote_support ? (
        <Notice tone="info">
          {t("support.noRemote")} <Link to="/order?kind=support_plan">{t("nav.order")}</Link>
        </Notice>
      ) : (
        <div className="grid-2">
          <Booking />
          <Card title={t("support.upcoming")}>
            {upcoming.length === 0 ? (
              <EmptyState title={t("support.noAppointments")} />
            ) : (
              <ul className="plain-list">
                {upcoming.map((a) => (
                  <li key={a.id} data-testid="appointment">
                    <p className="row-title">
                      {when(a.starts_at)} <SupportBadge group="appointmentStatuses" status={a.status} />
                    </p>
                    <p className="row-sub">{a.topic}</p>
                    {new Date(a.change_until).getTime() > Date.now() && (
                      <p className="row-sub">
                        {t("support.changeUntil", { when: when(a.change_until) })}{" "}
                        <Button variant="ghost" className="btn-small" busy={cancel.isPending} onClick={() => cancel.mutate(a.id)}>
                          {t("support.cancelAppointment")}
                        </Button>
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <ErrorNotice error={cancel.error} />
          </Card>
        </div>
      )}
    </>
  );
}
