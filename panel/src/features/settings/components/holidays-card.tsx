import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, EmptyState, ErrorNotice, Field, SelectField, Spinner } from "@/components/ui";
import { useCalendarOverrides, useRemoveOverride, useSetOverride } from "@/features/settings/api/more";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

/** S-2: days off added to the holidays calendar, and holidays the desk works; admins change them (audited). */
export function HolidaysCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const overrides = useCalendarOverrides();
  const set = useSetOverride();
  const remove = useRemoveOverride();
  const [form, setForm] = useState<{ day: string; kind: "day_off" | "working_day"; note: string }>({ day: "", kind: "day_off", note: "" });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    set.mutate(form, { onSuccess: () => setForm({ ...form, day: "", note: "" }) });
  };
  if (overrides.isPending) return <Spinner />;
  if (overrides.isError) return <ErrorNotice error={overrides.error} />;
  return (
    <div className="form">
      {overrides.data.length === 0 ? (
        <EmptyState title={t("staffSettings.holidays.none")} />
      ) : (
        <ul className="rows">
          {overrides.data.map((o) => (
            <li className="row" key={o.day}>
              <div>
                <span className="row-title">{formatDate(o.day, locale())}</span>
                <span className="row-sub">
                  {t(`staffSettings.holidays.kinds.${o.kind}`)}
                  {o.note && ` · ${o.note}`}
                </span>
              </div>
              {editable && (
                <Button variant="ghost" busy={remove.isPending && remove.variables === o.day} onClick={() => remove.mutate(o.day)}>
                  {t("staffSettings.holidays.remove")}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={set.error ?? remove.error} />
      {editable && (
        <form className="form" onSubmit={submit}>
          <div className="form-row">
            <Field label={t("staffSettings.holidays.day")} type="date" required value={form.day} onChange={(e) => setForm({ ...form, day: e.target.value })} />
            <SelectField
              label={t("staffSettings.holidays.kind")}
              value={form.kind}
              onChange={(e) => setForm({ ...form, kind: e.target.value === "working_day" ? "working_day" : "day_off" })}
            >
              <option value="day_off">{t("staffSettings.holidays.kinds.day_off")}</option>
              <option value="working_day">{t("staffSettings.holidays.kinds.working_day")}</option>
            </SelectField>
          </div>
          <Field label={t("staffSettings.holidays.note")} maxLength={500} value={form.note} onChange={(e) => setForm({ ...form, note: e.target.value })} />
          <Button type="submit" busy={set.isPending}>
            {t("staffSettings.holidays.add")}
          </Button>
        </form>
      )}
    </div>
  );
}
