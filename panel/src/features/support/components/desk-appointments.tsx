// S-7 from the desk: the client's upcoming remote-support appointments; staff move one to another free slot or
// cancel it, at any time (the client's cut-off does not bind staff).
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, EmptyState } from "@/components/ui";

import { useCancelAppointment, useMoveAppointment, type Appointment } from "../api";
import { useClientAppointments } from "../api/desk";
import { when } from "./parts";
import { SlotPicker, tomorrow } from "./slots";

function Move({ appointment, onDone }: { appointment: Appointment; onDone: () => void }) {
  const { t } = useTranslation();
  const [day, setDay] = useState(tomorrow());
  const [start, setStart] = useState("");
  const move = useMoveAppointment();
  const minutes = Math.round((new Date(appointment.ends_at).getTime() - new Date(appointment.starts_at).getTime()) / 60_000);
  return (
    <div className="reschedule form">
      <SlotPicker day={day} onDay={setDay} minutes={minutes} value={start} onChange={setStart} name={`desk-move-${appointment.id}`} legend={t("support.desk.moveTo")} />
      <ErrorNotice error={move.error} />
      <div className="inline-actions">
        <Button busy={move.isPending} disabled={!start} onClick={() => move.mutate({ id: appointment.id, starts_at: start }, { onSuccess: onDone })}>
          {t("support.desk.confirmMove")}
        </Button>
      </div>
    </div>
  );
}

export function DeskAppointments({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const appointments = useClientAppointments(clientId);
  const cancel = useCancelAppointment();
  const [moving, setMoving] = useState<string | null>(null);
  const booked = (appointments.data ?? []).filter((a) => a.status === "booked");
  return (
    <Card title={t("support.desk.appointments")}>
      {booked.length === 0 ? (
        <EmptyState title={t("support.desk.noAppointments")} />
      ) : (
        <ul className="plain-list">
          {booked.map((a) => (
            <li key={a.id} data-testid="desk-appointment">
              <p className="row-title">{when(a.starts_at)}</p>
              <p className="row-sub">{a.topic}</p>
              {moving === a.id ? (
                <Move appointment={a} onDone={() => setMoving(null)} />
              ) : (
                <div className="inline-actions">
                  <Button variant="secondary" className="btn-small" onClick={() => setMoving(a.id)}>
                    {t("support.desk.move")}
                  </Button>
                  <Button variant="ghost" className="btn-small" busy={cancel.isPending} onClick={() => cancel.mutate(a.id)}>
                    {t("support.desk.cancelAppointment")}
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={cancel.error} />
    </Card>
  );
}
