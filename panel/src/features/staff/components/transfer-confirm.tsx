import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Button, ErrorNotice, Field, StatusBadge } from "@/components/ui";
import { decimalString, formatDate, parseAmount } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useConfirmTransfer, type WaitingTransfer } from "../api";

/** B-19: a transfer the client reported, checked against the bank and confirmed with the amount seen there. */
export function TransferConfirm({ item, showClient = false }: { item: WaitingTransfer; showClient?: boolean }) {
  const { t } = useTranslation();
  const { report, invoice } = item;
  const currency = invoice.total_due.currency;
  const [amount, setAmount] = useState(() => {
    const text = decimalString(report.amount.amount_minor, currency);
    return locale().startsWith("es") ? text.replace(".", ",") : text;
  });
  const [reference, setReference] = useState(report.reference);
  const confirm = useConfirmTransfer();
  const minor = parseAmount(amount, currency);
  const open = invoice.status === "unpaid";
  return (
    <article className="transfer-item" data-testid="transfer-report">
      <header className="transfer-head">
        <div>
          <strong>{invoice.number}</strong> <StatusBadge kind="invoice" status={invoice.status} />
          {showClient && (
            <>
              {" · "}
              <Link to={`/staff/clients/${invoice.client_id}`}>{t("console.transfers.client")}</Link>
            </>
          )}
        </div>
        <span className="muted">{t("console.transfers.reported", { date: formatDate(report.reported_at, locale()) })}</span>
      </header>
      <dl className="deflist deflist-inline">
        <div>
          <dt>{t("console.invoice.reference")}</dt>
          <dd>
            <code>{invoice.payment_reference}</code>
          </dd>
        </div>
        <div>
          <dt>{t("console.transfers.due")}</dt>
          <dd>
            <Amount value={invoice.total_due} />
          </dd>
        </div>
        <div>
          <dt>{t("console.transfers.reportedAmount")}</dt>
          <dd>
            <Amount value={report.amount} />
          </dd>
        </div>
        <div>
          <dt>{t("console.transfers.operation")}</dt>
          <dd>{report.reference}</dd>
        </div>
        <div>
          <dt>{t("console.transfers.paidOn")}</dt>
          <dd>{formatDate(report.paid_on, locale())}</dd>
        </div>
        <div>
          <dt>{t("console.transfers.proof")}</dt>
          <dd className="wrap">{report.proof}</dd>
        </div>
      </dl>
      {open && !confirm.isSuccess && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (minor && minor > 0) confirm.mutate({ invoiceId: invoice.id, amount_minor: minor, transfer_reference: reference.trim() });
          }}
        >
          <Field
            label={t("console.transfers.amountSeen", { currency })}
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            error={minor === null ? t("console.transfers.badAmount") : null}
          />
          <Field label={t("console.transfers.bankReference")} value={reference} minLength={3} maxLength={100} required onChange={(e) => setReference(e.target.value)} />
          <Button type="submit" busy={confirm.isPending} disabled={!minor}>
            {t("console.transfers.confirm")}
          </Button>
        </form>
      )}
      {confirm.isSuccess && <p className="notice notice-ok" role="status">{t("console.transfers.confirmed")}</p>}
      <ErrorNotice error={confirm.error} />
    </article>
  );
}
