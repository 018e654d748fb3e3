// S-7: a day's free remote-support slots as radio buttons (business hours, Buenos Aires time). Booking, a client's
// reschedule and staff moving an appointment all pick a slot here; the database still refuses a slot taken meanwhile.
import { useTranslation } from "react-i18next";

import { ErrorNotice, Field, Spinner } from "@/components/ui";

import { useSlots } from "../api";

export const ZONE = "America/Argentina/Buenos_Aires";

export function tomorrow(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date(Date.now() + 86_400_000)); // YYYY-MM-DD
}

export function hour(value: string, language: string): string {
  return new Intl.DateTimeFormat(language, { timeZone: ZONE, hour: "2-digit", minute: "2-digit" }).format(new Date(value));
}

export function SlotPicker({
  day,
  onDay,
  minutes,
  value,
  onChange,
  name,
  legend,
}: {
  day: string;
  onDay: (day: string) => void;
  minutes: number;
  value: string;
  onChange: (startsAt: string) => void;
  name: string;
  legend?: string;
}) {
  const { t, i18n } = useTranslation();
  const slots = useSlots(day, minutes);
  return (
    <>
      <Field label={t("support.day")} type="date" required min={tomorrow()} value={day} onChange={(e) => onDay(e.target.value)} />
      <fieldset>
        <legend>{legend ?? t("support.slot")}</legend>
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
                <input type="radio" name={name} value={slot.starts_at} checked={slot.starts_at === value} onChange={() => onChange(slot.starts_at)} />
                <span className="choice-title">
                  {hour(slot.starts_at, i18n.language)}–{hour(slot.ends_at, i18n.language)}
                </span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
    </>
  );
}
