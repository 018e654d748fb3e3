// /support/appointments: remote-support slots within business hours for plans that include it (S-7); the database
// refuses a double booking, so a slot taken meanwhile comes back as a conflict and the free slots refresh. Until the
// cut-off before it starts, the client moves an appointment to another free slot or cancels it.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";

import { useAppointments, useBook, useCancelAppointment, useMoveAppointment, useSupportPlan, type Appointment } from "../api";
import { SupportBadge, when } from "../components/parts";
import { SlotPicker, tomorrow } from "../components/slots";

function Booking({ lengths }: { lengths: number[] }) {
  const { t } = useTranslation();
  const [day, setDay] = useState(tomorrow());
  const [minutes, setMinutes] = useState(lengths.includes(60) ? 60 : (lengths[0] ?? 60));
  const [start, setStart] = useState("");
  const [topic, setTopic] = useState("");
  const book = useBook();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    book.mutate({ starts_at: start, minutes, topic: topic.trim() }, { onSuccess: () => setStart("") });
  };
  return (
    <Card title={t("support.book")}>
      <form className="form" onSubmit={submit}>
        <SelectField label={t("support.duration")} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {lengths.map((m) => (
            <option key={m} value={m}>
              {t("support.minutes", { count: m })}
            </option>
          ))}
        </SelectField>
        <SlotPicker day={day} onDay={setDay} minutes={minutes} value={start} onChange={setStart} name="slot" />
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

/** S-7: another free slot of the same length, up to the cut-off (the server checks it again). */
function Reschedule({ appointment, onDone }: { appointment: Appointment; onDone: (movedTo?: string) => void }) {
  const { t } = useTranslation();
  const [day, setDay] = useState(tomorrow());
  const [start, setStart] = useState("");
  const move = useMoveAppointment();
  const minutes = Math.round((new Date(appointment.ends_at).getTime() - new Date(appointment.starts_at).getTime()) / 60_000);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    move.mutate({ id: appointment.id, starts_at: start }, { onSuccess: (moved) => onDone(when(moved.starts_at)) });
  };
  return (
    <form className="form reschedule" onSubmit={submit} aria-label={t("support.reschedule")}>
      <SlotPicker day={day} onDay={setDay} minutes={minutes} value={start} onChange={setStart} name={`move-${appointment.id}`} legend={t("support.newSlot")} />
      <ErrorNotice error={move.error} />
      <div className="inline-actions">
        <Button type="submit" busy={move.isPending} disabled={!start}>
          {t("support.confirmReschedule")}
        </Button>
        <Button variant="ghost" onClick={() => onDone()}>
          {t("support.keepSlot")}
        </Button>
      </div>
    </form>
  );
}

function Upcoming({ appointments }: { appointments: Appointment[] }) {
  const { t } = useTranslation();
  const cancel = useCancelAppointment();
  const [moving, setMoving] = useState<string | null>(null);
  const [moved, setMoved] = useState<string | null>(null);
  const upcoming = appointments.filter((a) => a.status === "booked");
  return (
    <Card title={t("support.upcoming")}>
      {moved && <Notice tone="ok">{t("support.rescheduled", { when: moved })}</Notice>}
      {upcoming.length === 0 ? (
        <EmptyState title={t("support.noAppointments")} />
      ) : (
        <ul className="plain-list">
          {upcoming.map((a) => {
            const changeable = new Date(a.change_until).getTime() > Date.now();
            return (
              <li key={a.id} data-testid="appointment">
                <p className="row-title">
                  {when(a.starts_at)} <SupportBadge group="appointmentStatuses" status={a.status} />
                </p>
                <p className="row-sub">{a.topic}</p>
                {changeable ? (
                  <>
                    <p className="row-sub">{t("support.changeUntil", { when: when(a.change_until) })}</p>
                    {moving === a.id ? (
                      <Reschedule
                        appointment={a}
                        onDone={(movedTo) => {
                          setMoving(null);
                          setMoved(movedTo ?? null);
                        }}
                      />
                    ) : (
                      <div className="inline-actions">
                        <Button
                          variant="secondary"
                          className="btn-small"
                          onClick={() => {
                            setMoved(null);
                            setMoving(a.id);
                          }}
                        >
                          {t("support.reschedule")}
                        </Button>
                        <Button variant="ghost" className="btn-small" busy={cancel.isPending} onClick={() => cancel.mutate(a.id)}>
                          {t("support.cancelAppointment")}
                        </Button>
                      </div>
                    )}
                  </>
                ) : (
                  <p className="row-sub muted">{t("support.tooLateToChange")}</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ErrorNotice error={cancel.error} />
    </Card>
  );
}

export default function AppointmentsRoute() {
  const { t } = useTranslation();
  const plan = useSupportPlan();
  const appointments = useAppointments();
  if (plan.isPending) return <Spinner />;
  if (plan.isError) return <ErrorNotice error={plan.error} />;
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
          <Booking lengths={plan.data.appointment_minutes} />
          <Upcoming appointments={appointments.data ?? []} />
        </div>
      )}
    </>
  );
}
