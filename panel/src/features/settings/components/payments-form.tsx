import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Notice } from "@/components/ui";
import { useSavePayments, type PaymentSettings } from "@/features/settings/api";

/** One "key: a, b, c" per line ⇄ {key: [a, b, c]}. */
function lines(text: string): [string, string[]][] {
  return text
    .split("\n")
    .map((line) => line.split(":"))
    .filter((parts) => parts.length === 2 && (parts[0] ?? "").trim() !== "")
    .map(([key, values]) => [(key ?? "").trim(), (values ?? "").split(",").map((v) => v.trim()).filter(Boolean)]);
}

function Area({ id, label, hint, value, onChange, readOnly }: { id: string; label: string; hint: string; value: string; onChange: (v: string) => void; readOnly: boolean }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="code-area" rows={4} readOnly={readOnly} value={value} aria-describedby={`${id}-hint`} onChange={(e) => onChange(e.target.value)} />
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
    </div>
  );
}

/** B-20: methods per client country ("*": any other), currencies a method refuses, minimums per currency. */
export function PaymentsForm({ value, editable }: { value: PaymentSettings; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSavePayments();
  const [form, setForm] = useState({ methods: "", refused: "", minimums: "" });
  useEffect(() => {
    setForm({
      methods: Object.entries(value.payment_methods_by_country).map(([c, ms]) => `${c}: ${ms.join(", ")}`).join("\n"),
      refused: Object.entries(value.payment_method_refused_currencies).map(([m, cs]) => `${m}: ${cs.join(", ")}`).join("\n"),
      minimums: Object.entries(value.payment_min_amount_minor)
        .map(([m, byCurrency]) => `${m}: ${Object.entries(byCurrency).map(([c, n]) => `${c} ${n}`).join(", ")}`)
        .join("\n"),
    });
  }, [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      payment_methods_by_country: Object.fromEntries(lines(form.methods)),
      payment_method_refused_currencies: Object.fromEntries(lines(form.refused)),
      payment_min_amount_minor: Object.fromEntries(
        lines(form.minimums).map(([m, pairs]) => [m, Object.fromEntries(pairs.map((p) => p.split(/\s+/)).map(([c, n]) => [c ?? "", Number(n)]))]),
      ),
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      <Area id="pay-methods" label={t("staffSettings.payments.methods")} hint={t("staffSettings.payments.methodsHint")} readOnly={!editable} value={form.methods} onChange={(methods) => setForm({ ...form, methods })} />
      <Area id="pay-refused" label={t("staffSettings.payments.refused")} hint={t("staffSettings.payments.refusedHint")} readOnly={!editable} value={form.refused} onChange={(refused) => setForm({ ...form, refused })} />
      <Area id="pay-minimums" label={t("staffSettings.payments.minimums")} hint={t("staffSettings.payments.minimumsHint")} readOnly={!editable} value={form.minimums} onChange={(minimums) => setForm({ ...form, minimums })} />
      {save.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
      <ErrorNotice error={save.error} />
      {editable && (
        <Button type="submit" busy={save.isPending}>
          {t("staffSettings.payments.save")}
        </Button>
      )}
    </form>
  );
}
