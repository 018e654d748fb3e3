import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";

import { Amount, Button, Card, CopyButton, DefinitionList, ErrorNotice, Notice, PageHeader, Spinner, StatusBadge } from "@/components/ui";
import { openInvoicePdf, useCapture, useInvoice } from "@/features/invoices/api";
import { CHECKOUT_MARK, PayPanel } from "@/features/invoices/components/pay-panel";
import { LineItems, Totals } from "@/features/order/components/price-summary";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

/** Where the provider's checkout sends the client back: `?paid=1` on success, the bare page otherwise. */
function useCheckoutReturn(id: string): "paid" | "not-completed" | null {
  const [params] = useSearchParams();
  const [result] = useState(() => {
    const marked = sessionStorage.getItem(CHECKOUT_MARK) === id;
    sessionStorage.removeItem(CHECKOUT_MARK);
    if (params.get("paid") === "1") return "paid" as const;
    return marked ? ("not-completed" as const) : null;
  });
  return result;
}

export default function InvoiceRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const returned = useCheckoutReturn(id);
  const invoice = useInvoice(id, returned === "paid");
  const pdf = useMutation({ mutationFn: () => openInvoicePdf(id, invoice.data?.number ?? id) });
  const { refetch } = invoice;
  const capture = useCapture(id);
  // PayPal returns with the approved order as `token`: the panel captures it (the payment is applied once).
  const [approvedOrder] = useState(() => (params.get("provider") === "paypal" ? params.get("token") : null));
  const { mutate: captureOrder } = capture;
  useEffect(() => {
    if (returned !== "paid") return;
    if (approvedOrder) captureOrder({ method: "paypal", provider_ref: approvedOrder });
    else void refetch();
  }, [returned, refetch, approvedOrder, captureOrder]);
  if (invoice.isPending) return <Spinner />;
  if (invoice.isError) return <ErrorNotice error={invoice.error} />;
  const data = invoice.data;
  const paid = data.status === "paid";
  return (
    <>
      <p>
        <Link to="/invoices">← {t("nav.invoices")}</Link>
      </p>
      <PageHeader
        title={t("invoices.number", { number: data.number })}
        subtitle={<StatusBadge kind="invoice" status={data.status} />}
        actions={
          <Button variant="secondary" busy={pdf.isPending} onClick={() => pdf.mutate()}>
            {t("invoices.pdf")}
          </Button>
        }
      />
      <ErrorNotice error={pdf.error} />
      <ErrorNotice error={capture.error} />
      {returned === "paid" && capture.isPending && <Notice tone="info" title={t("pay.capturing")} />}
      {returned === "paid" &&
        !capture.isPending &&
        (paid ? (
          <Notice tone="ok" title={t("pay.resultPaid")}>
            <p>{t("pay.resultPaidLead")}</p>
          </Notice>
        ) : (
          <Notice tone="info" title={t("pay.resultConfirming")}>
            <p>{t("pay.resultConfirmingLead")}</p>
          </Notice>
        ))}
      {returned === "not-completed" && !paid && (
        <Notice tone="warn" title={t("pay.resultNotCompleted")}>
          <p>{t("pay.resultNotCompletedLead")}</p>
        </Notice>
      )}
      {params.get("new") === "1" && data.status === "unpaid" && <Notice tone="ok" title={t("order.placed")}>{t("order.placedLead")}</Notice>}
      <div className="grid-main">
        <div className="form">
          <Card title={t("invoices.detail")}>
            <DefinitionList
              items={[
                [t("invoices.issued"), formatDate(data.issued_at, locale())],
                [t("invoices.due"), formatDate(data.due_on, locale())],
                [
                  t("invoices.reference"),
                  <span className="inline-actions" key="ref">
                    <span className="secret">{data.payment_reference}</span>
                    <CopyButton value={data.payment_reference} label={t("invoices.reference")} />
                  </span>,
                ],
                [t("invoices.kindLabel"), t(`invoices.kind.${data.kind}`, { defaultValue: data.kind })],
                ...(data.settled_at
                  ? ([[t("invoices.settled"), `${formatDateTime(data.settled_at, locale())}${data.paid_method ? ` · ${t(`pay.methods.${data.paid_method}`, { defaultValue: data.paid_method })}` : ""}`]] as [string, string][])
                  : []),
                ...(data.cancel_reason ? ([[t("invoices.cancelReason"), data.cancel_reason]] as [string, string][]) : []),
              ]}
            />
          </Card>
          <Card title={t("invoices.lines")}>
            <LineItems lines={data.lines} />
            <Totals subtotal={data.subtotal} discount={data.discount} credit={data.credit_applied} total={data.total_due} />
            {data.note && <p className="summary-note">{data.note}</p>}
          </Card>
        </div>
        <aside>
          {data.status === "unpaid" ? (
            <Card title={t("pay.title")}>
              <p className="summary-line total">
                <span>{t("pay.toPay")}</span>
                <Amount value={data.total_due} />
              </p>
              <PayPanel invoice={data} />
            </Card>
          ) : (
            <Card title={t("pay.title")}>
              <Notice tone={paid ? "ok" : "info"} title={t(`status.invoice.${data.status}`)}>
                {paid && <p>{t("pay.paidOn", { date: formatDateTime(data.settled_at, locale()) })}</p>}
              </Notice>
            </Card>
          )}
        </aside>
      </div>
    </>
  );
}
