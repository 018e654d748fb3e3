import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Amount, Button, CopyButton, ErrorNotice, Field, Notice, Spinner } from "@/components/ui";
import type { InvoiceDetail } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { decimalString, parseAmount } from "@/lib/format";

import { usePay, usePaymentMethods, useReportTransfer } from "../api";

export const CHECKOUT_MARK = "abono.checkout";

type Bank = components["schemas"]["billing.TransferInstruction"];

/** B-19: where to transfer; each figure a person copies has its copy button. */
function BankDetails({ bank }: { bank: Bank }) {
  const { t } = useTranslation();
  const rows: [string, string | undefined][] = [
    [t("pay.bank.name"), bank.bank_name],
    [t("pay.bank.holder"), bank.account_holder],
    [t("pay.bank.holderTaxId"), bank.holder_tax_id],
    [t("pay.bank.account"), bank.account_number],
    [t("pay.bank.alias"), bank.alias],
    [t("pay.bank.swift"), bank.swift],
  ];
  return (
    <div data-testid="bank-details">
    <dl className="bank-details">
      {rows
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <div key={label} className="inline-actions">
            <dt>{label}</dt>
            <dd>
              <strong className="secret">{value}</strong> <CopyButton value={value ?? ""} label={label} />
            </dd>
          </div>
        ))}
    </dl>
    {bank.notes && <p>{bank.notes}</p>}
    </div>
  );
}

/** B-20: the methods allowed for this invoice; a provider's checkout, or a transfer and its report (B-19). */
export function PayPanel({ invoice }: { invoice: InvoiceDetail }) {
  const { t } = useTranslation();
  const methods = usePaymentMethods(invoice.id, true);
  const pay = usePay(invoice.id);
  const [method, setMethod] = useState<string | null>(null);
  const chosen = method ?? methods.data?.methods[0] ?? null;
  const [showTransfer, setShowTransfer] = useState(false);
  const [bank, setBank] = useState<Bank | null>(null);

  const start = () => {
    if (!chosen) return;
    if (chosen === "transfer") {
      // B-19: the provider's bank account for this currency and the client's country (set in the staff console).
      pay.mutate(chosen, {
        onSuccess: (instructions) => {
          setBank(instructions.bank ?? null);
          setShowTransfer(true);
        },
      });
      return;
    }
    pay.mutate(chosen, {
      onSuccess: (instructions) => {
        if (instructions.redirect_url) {
          sessionStorage.setItem(CHECKOUT_MARK, invoice.id);
          window.location.assign(instructions.redirect_url);
        }
      },
    });
  };

  if (methods.isPending) return <Spinner />;
  if (methods.isError) return <ErrorNotice error={methods.error} />;
  const refused = methods.data.refused?.map((r) => (
    <Notice key={r.method} tone="info">
      {t("pay.refusedCurrency", { method: t(`pay.methods.${r.method}`, { defaultValue: r.method }), currency: r.currency, switchTo: r.switch_to })}
    </Notice>
  ));
  if (!methods.data.methods.length)
    return (
      <>
        {refused}
        <Notice tone="warn">{t("pay.noMethods")}</Notice>
      </>
    );
  // B-22: another method than the invoice was priced for re-prices its payment-method discount; shown before paying.
  const total = (chosen && methods.data.totals?.[chosen]) || invoice.total_due;
  const repriced = chosen !== "transfer" && total.amount_minor !== invoice.total_due.amount_minor;
  return (
    <div className="form">
      {refused}
      <fieldset>
        <legend>{t("pay.method")}</legend>
        <div className="choices">
          {methods.data.methods.map((m) => (
            <label key={m} className="choice">
              <input
                type="radio"
                name="method"
                value={m}
                checked={m === chosen}
                onChange={() => {
                  setMethod(m);
                  setShowTransfer(false);
                }}
              />
              <span className="choice-title">{t(`pay.methods.${m}`, { defaultValue: m })}</span>
              <span className="choice-sub">{t(`pay.methodHints.${m}`, { defaultValue: "" })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {repriced && (
        <Notice tone="info">
          {t("pay.repriced", { method: t(`pay.methods.${chosen}`, { defaultValue: chosen ?? "" }) })} <Amount value={total} />
        </Notice>
      )}
      <ErrorNotice error={pay.error} />
      {!showTransfer && (
        <Button onClick={start} busy={pay.isPending} className="btn-block">
          {chosen === "transfer" ? t("pay.transferCta") : t("pay.payCta", { method: t(`pay.methods.${chosen}`, { defaultValue: chosen ?? "" }) })}{" "}
          {chosen !== "transfer" && <Amount value={total} />}
        </Button>
      )}
      {showTransfer && <TransferReport invoice={invoice} bank={bank} />}
    </div>
  );
}

function TransferReport({ invoice, bank }: { invoice: InvoiceDetail; bank: Bank | null }) {
  const { t } = useTranslation();
  const report = useReportTransfer(invoice.id);
  const currency = invoice.total_due.currency;
  const today = new Date().toISOString().slice(0, 10);
  const [form, setForm] = useState({
    reference: "",
    amount: decimalString(invoice.total_due.amount_minor, currency),
    paidOn: today,
    proof: "",
  });
  const amountMinor = parseAmount(form.amount, currency);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (amountMinor === null) return;
    report.mutate({ reference: form.reference.trim(), amount_minor: amountMinor, paid_on: form.paidOn, proof: form.proof.trim(), channel: "bank" });
  };
  if (report.isSuccess) {
    return (
      <Notice tone="ok" title={t("pay.reported")}>
        <p>{t("pay.reportedLead")}</p>
      </Notice>
    );
  }
  return (
    <form className="form" onSubmit={submit}>
      <Notice tone="info" title={t("pay.transferTitle")}>
        <p>{t("pay.transferStep1", { amount: "" })}<Amount value={invoice.total_due} /></p>
        {bank && <BankDetails bank={bank} />}
        <p className="inline-actions">
          {t("pay.transferStep2")} <strong className="secret">{invoice.payment_reference}</strong>
          <CopyButton value={invoice.payment_reference} label={t("invoices.reference")} />
        </p>
        <p>{t("pay.transferStep3")}</p>
      </Notice>
      <ErrorNotice error={report.error} />
      <div className="form-row">
        <Field label={t("pay.operation")} required minLength={3} value={form.reference} onChange={(e) => setForm({ ...form, reference: e.target.value })} />
        <Field
          label={t("pay.amountPaid", { currency })}
          inputMode="decimal"
          required
          value={form.amount}
          onChange={(e) => setForm({ ...form, amount: e.target.value })}
          error={amountMinor === null ? t("pay.amountInvalid") : null}
        />
        <Field label={t("pay.paidDate")} type="date" required max={today} value={form.paidOn} onChange={(e) => setForm({ ...form, paidOn: e.target.value })} />
        <Field label={t("pay.proof")} required value={form.proof} onChange={(e) => setForm({ ...form, proof: e.target.value })} hint={t("pay.proofHint")} />
      </div>
      <Button type="submit" busy={report.isPending}>
        {t("pay.report")}
      </Button>
    </form>
  );
}
