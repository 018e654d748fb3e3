// B-21 automatic payment (issue #15 item 2): saved payment methods (a card through Stripe's SetupIntent) and the
// auto-pay switch, billing's `/saved-methods` and `/autopay`.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type SavedMethod = Schemas["billing.SavedMethodPublic"];
export type Autopay = Schemas["billing.AutopayPublic"];
export type AutopayCharge = Schemas["billing.AutopayChargePublic"];

export const autopayKeys = {
  all: ["autopay"] as const,
  state: () => [...autopayKeys.all, "state"] as const,
  methods: () => [...autopayKeys.all, "methods"] as const,
};

export function useAutopay() {
  return useQuery({ queryKey: autopayKeys.state(), queryFn: async () => unwrap(await api.GET("/api/billing/autopay")) });
}

export function useSavedMethods() {
  return useQuery({ queryKey: autopayKeys.methods(), queryFn: async () => unwrap(await api.GET("/api/billing/saved-methods")) });
}

function useAutopayMutation<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: async () => client.invalidateQueries({ queryKey: autopayKeys.all }) });
}

/** Start saving a card: billing answers with the provider's page, where the browser goes next. */
export function useSaveMethod() {
  return useMutation({
    mutationFn: async (provider: string) => unwrap(await api.POST("/api/billing/saved-methods", { body: { provider } })),
  });
}

/** Back from the provider's page: the method, active once the provider saved it. */
export function useConfirmMethod() {
  return useAutopayMutation(async (id: string) =>
    unwrap(await api.POST("/api/billing/saved-methods/{method_id}/confirm", { params: { path: { method_id: id } } })),
  );
}

export function useRemoveMethod() {
  return useAutopayMutation(async (id: string) =>
    unwrap(await api.DELETE("/api/billing/saved-methods/{method_id}", { params: { path: { method_id: id } } })),
  );
}

export function useEnableAutopay() {
  return useAutopayMutation(async (methodId: string) => unwrap(await api.PUT("/api/billing/autopay", { body: { method_id: methodId } })));
}

export function useDisableAutopay() {
  return useAutopayMutation(async () => unwrap(await api.DELETE("/api/billing/autopay")));
}
