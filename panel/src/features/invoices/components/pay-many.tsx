import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { Amount, Button, Card, DefinitionList, ErrorNotice, Notice, Spinner } from "@/components/ui";
import { useCredit } from "@/features/credit/api";
import type { Invoice, Money } from "@/lib/api/client";

import { usePayMany, usePaymentMethodsOf } from "../api";
import { PayManyTransfer } from "./pay-many-transfer";

export const BATCH_MARK = "abono.checkout.batch";

/** Several unpaid invoices of one currency paid together: by one provider checkout (credit first, the rest at the
 * provider) or by one bank transfer. The methods offered are those every chosen invoice allows (B-20). */
export function PayMany({ invoices, onDone }: { invoices: Invoice[]; onDone: () => void }) {
  const { t } = useTranslation();
  const currencies = [...new Set(invoices.map((i) => i.total_due.currency))];
  const methods = usePaymentMethodsOf(invoices.map((i) => i.id));
  const [method, setMethod] = useState<string | null>(null);
  const loaded = methods.every((m) => m.data);
  const failed = methods.find((m) => m.isError);
  const common = loaded ? methods[0]!.data!.methods.filter((m) => methods.every((q) => q.data!.methods.includes(m))) : [];
  const chosen = method ?? common[0] ?? null;
  // B-22: each invoice's total for the chosen method (its payment-method discount re-priced), shown before paying.
  const total: Money | null =
    currencies.length === 1 && loaded
      ? {
          currency: currencies[0]!,
          amount_minor: invoices.reduce((sum, invoice, index) => {
            const priced = chosen ? methods[index]!.data!.totals?.[chosen] : undefined;
            return sum + (priced ?? invoice.total_due).amount_minor;
          }, 0),
        }
      : null;
  const label = (m: string) => t(`pay.methods.${m}`, { defaultValue: m });
  return (
    <Card title={t("payMany.title", { count: invoices.length })}>
      {currencies.length > 1 ? (
        <Notice tone="warn">{t("payMany.oneCurrency")}</Notice>
      ) : failed ? (
        <ErrorNotice error={failed.error} />
      ) : !loaded || !total ? (
        <Spinner />
      ) : !common.length ? (
        <Notice tone="warn">{t("pay.noMethods")}</Notice>
      ) : (
        <div className="form">
          <fieldset>
            <legend>{t("pay.method")}</legend>
            <div className="choices">
              {common.map((m) => (
                <label key={m} className="choice">
                  <input type="radio" name="method" value={m} checked={m === chosen} onChange={() => setMethod(m)} />
                  <span className="choice-title">{label(m)}</span>
                  <span className="choice-sub">{t(`pay.methodHints.${m}`, { defaultValue: "" })}</span>
                </label>
              ))}
            </div>
          </fieldset>
          {chosen === "transfer" ? (
            <PayManyTransfer invoices={invoices} total={total} onDone={onDone} />
          ) : (
            chosen && <PayManyCheckout invoices={invoices} method={chosen} total={total} onDone={onDone} />
          )}
        </div>
      )}
    </Card>
  );
}

/** Credit first, the rest in one checkout at the provider; when the credit pays everything there is no checkout. */
function PayManyCheckout({ invoices, method, total, onDone }: { invoices: Invoice[]; method: string; total: Money; onDone: () => void }) {
  const { t } = useTranslation();
  const credit = useCredit();
  const pay = usePayMany();
  const balance = credit.data?.balances.find((b) => b.currency === total.currency)?.amount_minor ?? 0;
  const applied = { currency: total.currency, amount_minor: Math.max(0, Math.min(balance, total.amount_minor)) };
  const rest = { currency: total.currency, amount_minor: total.amount_minor - applied.amount_minor };
  const methodName = t(`pay.methods.${method}`, { defaultValue: method });
  const start = () =>
    pay.mutate(
      { invoice_ids: invoices.map((i) => i.id), method },
      {
        onSuccess: (batch) => {
          if (batch.redirect_url) {
            sessionStorage.setItem(BATCH_MARK, batch.id);
            window.location.assign(batch.redirect_url);
          }
        },
      },
    );
  if (credit.isPending) return <Spinner />;
  if (pay.data?.paid)
    return (
      <Notice tone="ok" title={t("pay.resultPaid")}>
        <p>{t("payMany.paidByCredit", { count: invoices.length })}</p>
        <Button variant="secondary" className="btn-small" onClick={onDone}>
          {t("common.close")}
        </Button>
      </Notice>
    );
  return (
    <>
      <div data-testid="pay-many-summary">
        <DefinitionList
          items={[
            [t("payMany.total"), <Amount key="total" value={total} />],
            ...(applied.amount_minor > 0
              ? ([[t("payMany.creditFirst"), <span key="credit">− <Amount value={applied} /></span>]] as [string, ReactNode][])
              : []),
            [t("payMany.rest"), <strong key="rest"><Amount value={rest} /></strong>],
          ]}
        />
      </div>
      <ErrorNotice error={pay.error} />
      <div className="inline-actions">
        <Button onClick={start} busy={pay.isPending}>
          {rest.amount_minor > 0 ? t("pay.payCta", { method: methodName }) : t("payMany.payWithCredit")}{" "}
          {rest.amount_minor > 0 && <Amount value={rest} />}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          {t("common.cancel")}
        </Button>
      </div>
    </>
  );
}
