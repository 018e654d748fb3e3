import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Amount, Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { api, type Invoice, type Money } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

import { invoiceKeys } from "../api";

/** Several unpaid invoices settled by one bank transfer (B-19): one operation, reported against each invoice for
 * its own amount. Credit needs no step here: billing applies it to each invoice when it is issued (B-10). */
export function PayManyTransfer({ invoices, total, onDone }: { invoices: Invoice[]; total: Money; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const today = new Date().toISOString().slice(0, 10);
  const [operation, setOperation] = useState("");
  const [paidOn, setPaidOn] = useState(today);
  const [proof, setProof] = useState("");
  const report = useMutation({
    mutationFn: async () => {
      for (const invoice of invoices) {
        unwrap(
          await api.POST("/api/billing/invoices/{invoice_id}/transfer-report", {
            params: { path: { invoice_id: invoice.id } },
            body: { reference: operation.trim(), amount_minor: invoice.total_due.amount_minor, paid_on: paidOn, proof: proof.trim(), channel: "bank" },
          }),
        );
      }
    },
    onSettled: () => client.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    report.mutate();
  };
  return report.isSuccess ? (
        <Notice tone="ok" title={t("pay.reported")}>
          <p>{t("pay.reportedLead")}</p>
          <Button variant="secondary" className="btn-small" onClick={onDone}>
            {t("common.close")}
          </Button>
        </Notice>
  ) : (
        <form className="form" onSubmit={submit}>
          <Notice tone="info" title={t("pay.transferTitle")}>
            <p>
              {t("payMany.transferTotal")} <Amount value={total} />
            </p>
            <p>{t("payMany.quote")}</p>
            <ul className="plain-list">
              {invoices.map((i) => (
                <li key={i.id}>
                  <span className="secret">{i.payment_reference}</span> · {t("invoices.number", { number: i.number })} · <Amount value={i.total_due} />
                </li>
              ))}
            </ul>
            <p>{t("payMany.after")}</p>
          </Notice>
          <ErrorNotice error={report.error} />
          <div className="form-row">
            <Field label={t("pay.operation")} required minLength={3} value={operation} onChange={(e) => setOperation(e.target.value)} />
            <Field label={t("pay.paidDate")} type="date" required max={today} value={paidOn} onChange={(e) => setPaidOn(e.target.value)} />
          </div>
          <Field label={t("pay.proof")} required value={proof} onChange={(e) => setProof(e.target.value)} hint={t("pay.proofHint")} />
          <div className="inline-actions">
            <Button type="submit" busy={report.isPending}>
              {t("payMany.report")}
            </Button>
            <Button variant="ghost" onClick={onDone}>
              {t("common.cancel")}
            </Button>
          </div>
        </form>
  );
}
