// Business settings (issue 14 item 5): billing's groups (dunning, discounts, payments, seller, transfers) and their
// audited history. Staff read them; admins change them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type BusinessSettings = Schemas["billing.BusinessSettingsPublic"];
export type DunningSettings = Schemas["billing.DunningSettings"];
export type DiscountSettings = Schemas["billing.DiscountSettings"];
export type SellerIdentity = Schemas["billing.SellerIdentity"];
export type PaymentSettings = Schemas["billing.PaymentSettings"];
export type TransferSettings = Schemas["billing.TransferSettings"];
export type TransferInstruction = Schemas["billing.TransferInstruction"];
export type SettingChange = Schemas["billing.SettingChange"];

const KEY = ["staff", "business-settings"];

export function useBusinessSettings() {
  return useQuery({ queryKey: KEY, queryFn: async () => unwrap(await api.GET("/api/billing/staff/settings")) });
}

/** The discounts as the API answers them (its tiers come as plain arrays). */
export type DiscountSettingsNow = NonNullable<ReturnType<typeof useBusinessSettings>["data"]>["discounts"]["value"];

export function useSettingsHistory() {
  return useQuery({
    queryKey: [...KEY, "history"],
    queryFn: async () => unwrap(await api.GET("/api/billing/staff/settings/history", { params: { query: { limit: 20 } } })),
  });
}

function useSaved<T>(save: (body: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: save, onSuccess: () => client.invalidateQueries({ queryKey: KEY }) });
}

export function useSaveDunning() {
  return useSaved(async (body: DunningSettings) => unwrap(await api.PUT("/api/billing/staff/settings/dunning", { body })));
}

export function useSaveDiscounts() {
  return useSaved(async (body: DiscountSettings) => unwrap(await api.PUT("/api/billing/staff/settings/discounts", { body })));
}

export function useSaveSeller() {
  return useSaved(async (body: SellerIdentity) => unwrap(await api.PUT("/api/billing/staff/settings/seller", { body })));
}

export function useSaveTransfers() {
  return useSaved(async (body: TransferSettings) => unwrap(await api.PUT("/api/billing/staff/settings/transfers", { body })));
}

export function useSavePayments() {
  return useSaved(async (body: PaymentSettings) => unwrap(await api.PUT("/api/billing/staff/settings/payments", { body })));
}
