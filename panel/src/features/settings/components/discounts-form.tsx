import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { useSaveDiscounts, type DiscountSettingsNow } from "@/features/settings/api";

const CYCLES = ["monthly", "quarterly", "semiannual", "annual", "biennial"] as const;

/** "3: 10, 5: 25" ⇄ [[3, "10"], [5, "25"]] (the tiers), "zelle: 10" ⇄ {zelle: "10"} (per method). */
function pairs(text: string): [string, string][] {
  return text
    .split(",")
    .map((part) => part.split(":").map((s) => s.trim()))
    .filter((p) => p.length === 2 && p[0] !== "" && p[1] !== "")
    .map((p) => [p[0] ?? "", p[1] ?? ""]);
}

/** B-12: percentages by cycle, by number of active services, by payment method; the bundle; the cap. */
export function DiscountsForm({ value, editable }: { value: DiscountSettingsNow; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSaveDiscounts();
  const [cycles, setCycles] = useState<Record<string, string>>({});
  const [form, setForm] = useState({ tiers: "", methods: "", size: "", free: "", cap: "" });
  useEffect(() => {
    setCycles(Object.fromEntries(CYCLES.map((c) => [c, String(value.discount_cycle_percent[c] ?? "")])));
    setForm({
      tiers: value.discount_active_service_tiers.map((tier) => tier.join(": ")).join(", "),
      methods: Object.entries(value.discount_payment_method_percent).map(([m, p]) => `${m}: ${p}`).join(", "),
      size: String(value.discount_bundle_size),
      free: String(value.discount_bundle_free),
      cap: value.discount_max_total_percent == null ? "" : String(value.discount_max_total_percent),
    });
  }, [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({
      // Percentages travel as JSON numbers (the schema's `number`, read exactly as a decimal by billing).
      discount_cycle_percent: Object.fromEntries(Object.entries(cycles).filter(([, p]) => p.trim() !== "").map(([c, p]) => [c, Number(p)])),
      discount_active_service_tiers: pairs(form.tiers).map(([n, p]): [number, number] => [Number(n), Number(p)]),
      discount_payment_method_percent: Object.fromEntries(pairs(form.methods).map(([m, p]) => [m, Number(p)])),
      discount_bundle_size: Number(form.size),
      discount_bundle_free: Number(form.free),
      discount_max_total_percent: form.cap.trim() === "" ? null : Number(form.cap.trim()),
    });
  };
  const percent = { inputMode: "decimal", pattern: "[0-9]{1,3}([.][0-9]{1,3})?", readOnly: !editable } as const;
  return (
    <form className="form" onSubmit={submit}>
      <div className="form-row">
        {CYCLES.map((cycle) => (
          <Field
            key={cycle}
            label={t("staffSettings.discounts.cycle", { cycle: t(`cycle.${cycle}`).toLowerCase() })}
            {...percent}
            value={cycles[cycle] ?? ""}
            onChange={(e) => setCycles({ ...cycles, [cycle]: e.target.value })}
          />
        ))}
      </div>
      <Field
        label={t("staffSettings.discounts.tiers")}
        hint={t("staffSettings.discounts.tiersHint")}
        readOnly={!editable}
        value={form.tiers}
        onChange={(e) => setForm({ ...form, tiers: e.target.value })}
      />
      <Field
        label={t("staffSettings.discounts.methods")}
        hint={t("staffSettings.discounts.methodsHint")}
        readOnly={!editable}
        value={form.methods}
        onChange={(e) => setForm({ ...form, methods: e.target.value })}
      />
      <div className="form-row">
        <Field label={t("staffSettings.discounts.bundleSize")} type="number" min={0} max={1000} readOnly={!editable} value={form.size} onChange={(e) => setForm({ ...form, size: e.target.value })} />
        <Field label={t("staffSettings.discounts.bundleFree")} type="number" min={0} max={1000} readOnly={!editable} value={form.free} onChange={(e) => setForm({ ...form, free: e.target.value })} />
        <Field label={t("staffSettings.discounts.cap")} hint={t("staffSettings.discounts.capHint")} {...percent} value={form.cap} onChange={(e) => setForm({ ...form, cap: e.target.value })} />
      </div>
      {save.isSuccess && <Notice tone="ok">{t("staffSettings.savedNext")}</Notice>}
      <ErrorNotice error={save.error} />
      {editable && (
        <Button type="submit" busy={save.isPending}>
          {t("staffSettings.discounts.save")}
        </Button>
      )}
    </form>
  );
}
