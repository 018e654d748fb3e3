// Direct debit in Argentina (issue 15 item 3, B-20, B-21): whether I may sign a Pagos360 mandate (adhesión) by CBU or
// card, the mandate I have, signing one and cancelling it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type DirectDebit = Schemas["billing.DirectDebitStatus"];
export type Mandate = Schemas["billing.MandatePublic"];
export type MandateCreate = Schemas["billing.MandateCreate"];

export const directDebitKeys = { me: ["direct-debit"] as const };

export function useDirectDebit() {
  return useQuery({
    queryKey: directDebitKeys.me,
    queryFn: async () => unwrap(await api.GET("/api/billing/direct-debit")),
    // A mandate waits for the bank (Pagos360 reports it signed): look again while it is pending.
    refetchInterval: (query) => (query.state.data?.mandate?.state === "pending" ? 5000 : false),
  });
}

export function useSignMandate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: MandateCreate) => unwrap(await api.POST("/api/billing/direct-debit/mandate", { body })),
    onSuccess: async () => client.invalidateQueries({ queryKey: directDebitKeys.me }),
  });
}

export function useCancelMandate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/billing/direct-debit/mandate")),
    onSuccess: async () => client.invalidateQueries({ queryKey: directDebitKeys.me }),
  });
}
