import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { useSaveDunning, type DunningSettings } from "@/features/settings/api";

/** B-3..B-6: reminder days before the due date; suspension and termination days after it. */
export function DunningForm({ value, editable }: { value: DunningSettings; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSaveDunning();
  const [form, setForm] = useState({ reminders: "", b4: "", b5: "", b6: "" });
  useEffect(() => {
    setForm({
      reminders: value.reminder_days_before.join(", "),
      b4: String(value.suspend_after_days),
      b5: String(value.suspend_all_after_business_days),
      b6: String(value.terminate_after_days),
    });
  }, [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const reminders = form.reminders
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(Number);
    save.mutate({
      reminder_days_before: reminders,
      suspend_after_days: Number(form.b4),
      suspend_all_after_business_days: Number(form.b5),
      terminate_after_days: Number(form.b6),
    });
  };
  const number = { type: "number", min: 0, max: 365, required: true, readOnly: !editable } as const;
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label={t("staffSettings.dunning.reminders")}
        hint={t("staffSettings.dunning.remindersHint")}
        value={form.reminders}
        readOnly={!editable}
        pattern="[0-9, ]*"
        onChange={(e) => setForm({ ...form, reminders: e.target.value })}
      />
      <div className="form-row">
        <Field label={t("staffSettings.dunning.b4")} {...number} value={form.b4} onChange={(e) => setForm({ ...form, b4: e.target.value })} />
        <Field label={t("staffSettings.dunning.b5")} {...number} value={form.b5} onChange={(e) => setForm({ ...form, b5: e.target.value })} />
        <Field label={t("staffSettings.dunning.b6")} {...number} min={1} value={form.b6} onChange={(e) => setForm({ ...form, b6: e.target.value })} />
      </div>
      {save.isSuccess && <Notice tone="ok">{t("staffSettings.savedNext")}</Notice>}
      <ErrorNotice error={save.error} />
      {editable && (
        <Button type="submit" busy={save.isPending}>
          {t("staffSettings.dunning.save")}
        </Button>
      )}
    </form>
  );
}
