import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { ErrorNotice, Notice } from "@/components/ui";

import { useCaptureMany, usePaidMany } from "../api";
import { BATCH_MARK } from "./pay-many";

/** Back from the provider's checkout with several invoices (`?batch=<id>`, `&paid=1` on success): the result,
 * updated live as each `InvoicePaid` arrives; a provider that captures on return (PayPal, `token`) is captured. */
export function PayManyResult({ batchId, params }: { batchId: string; params: URLSearchParams }) {
  const { t } = useTranslation();
  const [returned] = useState(() => {
    const marked = sessionStorage.getItem(BATCH_MARK) === batchId;
    sessionStorage.removeItem(BATCH_MARK);
    if (params.get("paid") === "1") return "paid" as const;
    return marked ? ("not-completed" as const) : null;
  });
  const [approved] = useState(() => (params.get("paid") === "1" && params.get("provider") ? params.get("token") : null));
  const batch = usePaidMany(batchId, returned === "paid");
  const capture = useCaptureMany(batchId);
  const { mutate: captureOrder } = capture;
  const method = batch.data?.method;
  useEffect(() => {
    if (approved && method) captureOrder({ method, provider_ref: approved });
  }, [approved, method, captureOrder]);
  if (batch.isError) return <ErrorNotice error={batch.error} />;
  if (!batch.data) return null;
  const count = batch.data.invoices.length;
  if (batch.data.paid)
    return (
      <Notice tone="ok" title={t("pay.resultPaid")}>
        <p>{t("payMany.resultPaidLead", { count })}</p>
      </Notice>
    );
  if (returned === "paid")
    return (
      <>
        <ErrorNotice error={capture.error} />
        <Notice tone="info" title={t("pay.resultConfirming")}>
          <p>{t("pay.resultConfirmingLead")}</p>
        </Notice>
      </>
    );
  if (returned === "not-completed")
    return (
      <Notice tone="warn" title={t("pay.resultNotCompleted")}>
        <p>{t("pay.resultNotCompletedLead")}</p>
      </Notice>
    );
  return null;
}
