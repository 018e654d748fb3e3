import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { useSaveDunning, type DunningSettings } from "@/features/settings/api";

/** B-3..B-6: reminder days before the due date; suspension and termination days after it. */
export function DunningForm({ value, editable }: { value: DunningSettings; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSaveDunning();
  const [form, setForm] = useState({ reminders: "", b4: "", b5: "", b6: "", autopayBefore: "", autopayRetries: "" });
  useEffect(() => {
    setForm({
      reminders: value.reminder_days_before.join(", "),
      b4: String(value.suspend_after_days),
      b5: String(value.suspend_all_after_business_days),
      b6: String(value.terminate_after_days),
      autopayBefore: String(value.autopay_days_before ?? 0),
      autopayRetries: (value.autopay_retry_days ?? []).join(", "),
    });
  }, [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const days = (text: string) => text.split(/[,\s]+/).filter(Boolean).map(Number);
    const reminders = days(form.reminders);
    save.mutate({
      reminder_days_before: reminders,
      suspend_after_days: Number(form.b4),
      suspend_all_after_business_days: Number(form.b5),
      terminate_after_days: Number(form.b6),
      autopay_days_before: Number(form.autopayBefore), // B-21
      autopay_retry_days: days(form.autopayRetries),
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
      <div className="form-row">
        <Field label={t("staffSettings.dunning.autopayBefore")} {...number} max={14} value={form.autopayBefore} onChange={(e) => setForm({ ...form, autopayBefore: e.target.value })} />
        <Field
          label={t("staffSettings.dunning.autopayRetries")}
          hint={t("staffSettings.dunning.autopayRetriesHint")}
          value={form.autopayRetries}
          readOnly={!editable}
          pattern="[0-9, ]*"
          onChange={(e) => setForm({ ...form, autopayRetries: e.target.value })}
        />
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
