import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type OrderRequest } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export function useCatalog() {
  return useQuery({
    queryKey: ["catalog"],
    staleTime: 5 * 60_000,
    queryFn: async () => unwrap(await api.GET("/api/billing/catalog/products")),
  });
}

export function useBillingProfile() {
  return useQuery({ queryKey: ["billing-profile"], queryFn: async () => unwrap(await api.GET("/api/billing/clients/me")) });
}

export function usePreview() {
  return useMutation({ mutationFn: async (order: OrderRequest) => unwrap(await api.POST("/api/billing/orders/preview", { body: order })) });
}

export function usePlaceOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (order: OrderRequest) => unwrap(await api.POST("/api/billing/orders", { body: order })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["invoices"] });
      await client.invalidateQueries({ queryKey: ["services"] });
    },
  });
}
