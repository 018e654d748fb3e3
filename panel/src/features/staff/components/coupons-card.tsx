// Coupons (B-12): every coupon with its uses; admins create, change, retire (used ones) or delete (unused ones).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, SelectField, Spinner } from "@/components/ui";
import { useCoupons } from "@/features/staff/api";
import { useCreateCoupon, useDeleteCoupon, useRetireCoupon, useUpdateCoupon, type Coupon, type Currency } from "@/features/staff/api/catalog";
import type { Money } from "@/lib/api/client";
import { decimalString, formatDate, formatMoney, parseAmount } from "@/lib/format";
import { locale } from "@/lib/i18n";

const CURRENCIES: Currency[] = ["USD", "ARS", "UYU", "CLP", "COP", "PEN"];
const AUDIENCES = ["any", "new", "existing"] as const;
type Audience = (typeof AUDIENCES)[number];

type FormState = { code: string; kind: "percent" | "fixed"; percent: string; amount: string; currency: Currency; audience: Audience; expires: string; maxUses: string };

const blank: FormState = { code: "", kind: "percent", percent: "", amount: "", currency: "USD", audience: "any", expires: "", maxUses: "" };

function stateOf(c: Coupon): FormState {
  const fixed = c.amount_minor !== null && c.amount_minor !== undefined && !!c.currency;
  return {
    code: c.code,
    kind: fixed ? "fixed" : "percent",
    percent: c.percent ? String(Number(c.percent)) : "",
    amount: fixed ? decimalString(c.amount_minor as number, c.currency as string) : "",
    currency: (c.currency ?? "USD") as Currency,
    audience: c.audience,
    expires: c.expires_at ? c.expires_at.slice(0, 10) : "",
    maxUses: c.max_uses ? String(c.max_uses) : "",
  };
}

function CouponForm({ editing, onDone }: { editing: Coupon | null; onDone: () => void }) {
  const { t } = useTranslation();
  const create = useCreateCoupon();
  const update = useUpdateCoupon();
  const [form, setForm] = useState<FormState>(editing ? stateOf(editing) : blank);
  const [amountError, setAmountError] = useState<string | null>(null);
  const set = (patch: Partial<FormState>) => setForm({ ...form, ...patch });
  const busy = create.isPending || update.isPending;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAmountError(null);
    const amount_minor = form.kind === "fixed" ? parseAmount(form.amount, form.currency) : null;
    if (form.kind === "fixed" && !amount_minor) {
      setAmountError(t("console.catalog.coupon.invalidAmount", { currency: form.currency }));
      return;
    }
    const terms = {
      percent: form.kind === "percent" ? Number(form.percent) : null,
      amount_minor,
      currency: form.kind === "fixed" ? form.currency : null,
      audience: form.audience,
      // The coupon is good through the whole chosen day (the provider's day ends at 23:59 in Buenos Aires).
      expires_at: form.expires ? `${form.expires}T23:59:59-03:00` : null,
      max_uses: form.maxUses ? Number(form.maxUses) : null,
    };
    if (editing) {
      // An unchanged expiry is not sent again (the day shown may stand for another hour of that day).
      const { expires_at, ...rest } = terms;
      const body = form.expires === stateOf(editing).expires ? rest : terms;
      update.mutate({ code: editing.code, body }, { onSuccess: onDone });
      void expires_at;
    }
    else create.mutate({ code: form.code.trim().toUpperCase(), ...terms }, { onSuccess: () => setForm(blank) });
  };
  return (
    <form className="form coupon-form" onSubmit={submit} aria-label={editing ? t("console.catalog.coupon.editTitle", { code: editing.code }) : t("console.catalog.coupon.newTitle")}>
      <h3>{editing ? t("console.catalog.coupon.editTitle", { code: editing.code }) : t("console.catalog.coupon.newTitle")}</h3>
      <div className="filters">
        {!editing && (
          <Field label={t("console.catalog.coupon.code")} hint={t("console.catalog.coupon.codeHint")} required maxLength={40} pattern="[A-Za-z0-9][A-Za-z0-9_\-]{2,39}" value={form.code} onChange={(e) => set({ code: e.target.value })} />
        )}
        <SelectField label={t("console.catalog.coupon.kind")} value={form.kind} onChange={(e) => set({ kind: e.target.value as FormState["kind"] })}>
          <option value="percent">{t("console.catalog.coupon.percent")}</option>
          <option value="fixed">{t("console.catalog.coupon.fixed")}</option>
        </SelectField>
        {form.kind === "percent" ? (
          <Field label={t("console.catalog.coupon.percentValue")} type="number" min={0.01} max={100} step={0.01} required value={form.percent} onChange={(e) => set({ percent: e.target.value })} />
        ) : (
          <>
            <Field label={t("console.catalog.coupon.amount")} inputMode="decimal" required value={form.amount} error={amountError} onChange={(e) => set({ amount: e.target.value })} />
            <SelectField label={t("console.catalog.coupon.currency")} value={form.currency} onChange={(e) => set({ currency: e.target.value as Currency })}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </SelectField>
          </>
        )}
        <SelectField label={t("console.catalog.coupon.audience")} value={form.audience} onChange={(e) => set({ audience: e.target.value as Audience })}>
          {AUDIENCES.map((a) => (
            <option key={a} value={a}>
              {t(`console.billing.audiences.${a}`)}
            </option>
          ))}
        </SelectField>
        <Field label={t("console.catalog.coupon.expires")} type="date" value={form.expires} onChange={(e) => set({ expires: e.target.value })} />
        <Field label={t("console.catalog.coupon.maxUses")} type="number" min={1} step={1} value={form.maxUses} onChange={(e) => set({ maxUses: e.target.value })} />
      </div>
      {create.isSuccess && !editing && <Notice tone="ok">{t("console.catalog.coupon.created")}</Notice>}
      <ErrorNotice error={create.error ?? update.error} />
      <div className="row-actions">
        <Button type="submit" busy={busy}>
          {editing ? t("console.catalog.coupon.save") : t("console.catalog.coupon.create")}
        </Button>
        {editing && (
          <Button variant="secondary" onClick={onDone}>
            {t("common.cancel")}
          </Button>
        )}
      </div>
    </form>
  );
}

function value(c: Coupon): string {
  if (c.percent) return `${Number(c.percent)}%`;
  if (c.amount_minor !== null && c.amount_minor !== undefined && c.currency) return formatMoney({ amount_minor: c.amount_minor, currency: c.currency as Money["currency"] }, locale());
  return "—";
}

export function CouponsCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const coupons = useCoupons();
  const retire = useRetireCoupon();
  const remove = useDeleteCoupon();
  const [editing, setEditing] = useState<Coupon | null>(null);
  const L = "console.catalog.coupon";
  return (
    <Card title={t("console.billing.coupons")}>
      {coupons.isPending ? (
        <Spinner />
      ) : coupons.isError ? (
        <ErrorNotice error={coupons.error} />
      ) : coupons.data.length === 0 ? (
        <EmptyState title={t("console.billing.noCoupons")} />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.billing.code")}</th>
              <th>{t("console.billing.value")}</th>
              <th>{t("console.billing.audience")}</th>
              <th>{t("console.billing.uses")}</th>
              <th>{t("console.billing.expires")}</th>
              {editable && <th>{t(`${L}.actions`)}</th>}
            </tr>
          </thead>
          <tbody>
            {coupons.data.map((c) => (
              <tr key={c.id} className={c.retired_at ? "muted" : ""} data-testid="coupon-row">
                <td>
                  <code>{c.code}</code>
                  {c.retired_at && <span className="badge badge-muted">{t(`${L}.retired`)}</span>}
                </td>
                <td data-label={t("console.billing.value")}>{value(c)}</td>
                <td data-label={t("console.billing.audience")}>{t(`console.billing.audiences.${c.audience}`, { defaultValue: c.audience })}</td>
                <td data-label={t("console.billing.uses")}>
                  {c.uses}
                  {c.max_uses ? ` / ${c.max_uses}` : ""}
                </td>
                <td data-label={t("console.billing.expires")}>{formatDate(c.expires_at, locale())}</td>
                {editable && (
                  <td data-label={t(`${L}.actions`)}>
                    <div className="row-actions">
                      {!c.retired_at && (
                        <Button variant="secondary" className="btn-small" aria-label={`${t(`${L}.edit`)} ${c.code}`} onClick={() => setEditing(c)}>
                          {t(`${L}.edit`)}
                        </Button>
                      )}
                      {!c.retired_at && (
                        <Button variant="secondary" className="btn-small" aria-label={`${t(`${L}.retire`)} ${c.code}`} busy={retire.isPending && retire.variables === c.code}
                          onClick={() => window.confirm(t(`${L}.retireConfirm`, { code: c.code })) && retire.mutate(c.code)}>
                          {t(`${L}.retire`)}
                        </Button>
                      )}
                      {c.uses === 0 && (
                        <Button variant="danger" className="btn-small" aria-label={`${t(`${L}.delete`)} ${c.code}`} busy={remove.isPending && remove.variables === c.code}
                          onClick={() => window.confirm(t(`${L}.deleteConfirm`, { code: c.code })) && remove.mutate(c.code)}>
                          {t(`${L}.delete`)}
                        </Button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNotice error={retire.error ?? remove.error} />
      {editable && <CouponForm key={editing?.code ?? "new"} editing={editing} onDone={() => setEditing(null)} />}
    </Card>
  );
}
