import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";
import type { components } from "@/lib/api/schema";

export type TransferReport = components["schemas"]["billing.TransferReportCreate"];
export type PaymentBatch = components["schemas"]["billing.PaymentBatchPublic"];

const CONFIRMING_POLL_MS = 3_000;

export const invoiceKeys = {
  all: ["invoices"] as const,
  list: () => [...invoiceKeys.all, "list"] as const,
  detail: (id: string) => [...invoiceKeys.all, "detail", id] as const,
  methods: (id: string) => [...invoiceKeys.all, "methods", id] as const,
  batch: (id: string) => [...invoiceKeys.all, "batch", id] as const,
};

export function useInvoices() {
  return useQuery({ queryKey: invoiceKeys.list(), queryFn: async () => unwrap(await api.GET("/api/billing/invoices")) });
}

/** Back from a checkout (`confirming`), it also asks every few seconds until the invoice is paid: the live stream
 * may have opened after the `InvoicePaid` it would have refreshed. */
export function useInvoice(id: string, confirming = false) {
  return useQuery({
    queryKey: invoiceKeys.detail(id),
    refetchInterval: (query) => (confirming && query.state.data?.status === "unpaid" ? CONFIRMING_POLL_MS : false),
    queryFn: async () => unwrap(await api.GET("/api/billing/invoices/{invoice_id}", { params: { path: { invoice_id: id } } })),
  });
}

export function usePaymentMethods(id: string, enabled: boolean) {
  return useQuery({
    queryKey: invoiceKeys.methods(id),
    enabled,
    queryFn: async () =>
      unwrap(await api.GET("/api/billing/invoices/{invoice_id}/payment-methods", { params: { path: { invoice_id: id } } })),
  });
}

/** B-20: the methods of each of several invoices (paying them together offers those every one allows). */
export function usePaymentMethodsOf(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: invoiceKeys.methods(id),
      queryFn: async () =>
        unwrap(await api.GET("/api/billing/invoices/{invoice_id}/payment-methods", { params: { path: { invoice_id: id } } })),
    })),
  });
}

/** Several invoices in one provider checkout, credit first. */
export function usePayMany() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { invoice_ids: string[]; method: string }) =>
      unwrap(await api.POST("/api/billing/invoices/pay-many", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

/** Several invoices paid together, as they stand now (live: `InvoicePaid` refreshes every invoice query). */
export function usePaidMany(id: string | null, confirming = false) {
  return useQuery({
    queryKey: invoiceKeys.batch(id ?? ""),
    enabled: !!id,
    refetchInterval: (query) => (confirming && query.state.data?.paid === false ? CONFIRMING_POLL_MS : false),
    queryFn: async () =>
      unwrap(await api.GET("/api/billing/invoices/pay-many/{batch_id}", { params: { path: { batch_id: id ?? "" } } })),
  });
}

/** Back from PayPal with several invoices: capture the approved order and apply it once. */
export function useCaptureMany(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { method: string; provider_ref: string }) =>
      unwrap(await api.POST("/api/billing/invoices/pay-many/{batch_id}/capture", { params: { path: { batch_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function usePay(id: string) {
  return useMutation({
    mutationFn: async (method: string) =>
      unwrap(await api.POST("/api/billing/invoices/{invoice_id}/pay", { params: { path: { invoice_id: id } }, body: { method } })),
  });
}

/** Back from PayPal (`token` = the order the client approved): capture it and apply it (B-19), then reload. */
export function useCapture(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { method: string; provider_ref: string }) =>
      unwrap(await api.POST("/api/billing/invoices/{invoice_id}/capture", { params: { path: { invoice_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

export function useReportTransfer(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (report: TransferReport) =>
      unwrap(
        await api.POST("/api/billing/invoices/{invoice_id}/transfer-report", { params: { path: { invoice_id: id } }, body: report }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: invoiceKeys.all }),
  });
}

/** The invoice's PDF, fetched with the access token and opened as a blob (a plain link would carry no token). */
export async function openInvoicePdf(id: string, number: string): Promise<void> {
  const result = await api.GET("/api/billing/invoices/{invoice_id}/pdf", {
    params: { path: { invoice_id: id } },
    parseAs: "blob",
  });
  const blob = unwrap(result) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `${number}.pdf`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
