import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Cycle } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export const serviceKeys = {
  all: ["services"] as const,
  billing: () => [...serviceKeys.all, "billing"] as const,
  provisioning: () => [...serviceKeys.all, "provisioning"] as const,
  billingOne: (id: string) => [...serviceKeys.all, "billing", id] as const,
  access: (id: string) => [...serviceKeys.all, "access", id] as const,
  transfers: () => [...serviceKeys.all, "transfers"] as const,
};

/** Billing's view: cycle, price, next due date, renewal. */
export function useBillingServices() {
  return useQuery({ queryKey: serviceKeys.billing(), queryFn: async () => unwrap(await api.GET("/api/billing/services")) });
}

/** Provisioning's view: the state the service is really in on the servers. */
export function useProvisionedServices() {
  return useQuery({
    queryKey: serviceKeys.provisioning(),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/services")),
  });
}

export function useBillingService(id: string) {
  return useQuery({
    queryKey: serviceKeys.billingOne(id),
    queryFn: async () => unwrap(await api.GET("/api/billing/services/{service_id}", { params: { path: { service_id: id } } })),
  });
}

/** P-7: the access data (password included) is only asked for when the client reveals it. */
export function useServiceAccess(id: string, enabled: boolean) {
  return useQuery({
    queryKey: serviceKeys.access(id),
    enabled,
    staleTime: 0,
    gcTime: 60_000,
    queryFn: async () =>
      unwrap(await api.GET("/api/provisioning/services/{service_id}", { params: { path: { service_id: id } } })),
  });
}

export function useTransfers() {
  return useQuery({ queryKey: serviceKeys.transfers(), queryFn: async () => unwrap(await api.GET("/api/provisioning/transfers")) });
}

function useServiceMutation<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: serviceKeys.all });
      await client.invalidateQueries({ queryKey: ["invoices"] });
    },
  });
}

export function useUpgradePreview(id: string) {
  return useMutation({
    mutationFn: async (productCode: string) =>
      unwrap(
        await api.POST("/api/billing/services/{service_id}/upgrade/preview", {
          params: { path: { service_id: id } },
          body: { product_code: productCode },
        }),
      ),
  });
}

export function useUpgrade(id: string) {
  return useServiceMutation(async (productCode: string) =>
    unwrap(
      await api.POST("/api/billing/services/{service_id}/upgrade", {
        params: { path: { service_id: id } },
        body: { product_code: productCode },
      }),
    ),
  );
}

export function useChangeCycle(id: string) {
  return useServiceMutation(async (cycle: Cycle) =>
    unwrap(await api.POST("/api/billing/services/{service_id}/cycle", { params: { path: { service_id: id } }, body: { cycle } })),
  );
}

export function useCancel(id: string) {
  return useServiceMutation(async (when: "end_of_period" | "immediate") =>
    unwrap(await api.POST("/api/billing/services/{service_id}/cancel", { params: { path: { service_id: id } }, body: { when } })),
  );
}

export function useSetRenew(id: string) {
  return useServiceMutation(async (renew: boolean) =>
    unwrap(await api.PATCH("/api/billing/services/{service_id}", { params: { path: { service_id: id } }, body: { renew } })),
  );
}

export function useRequestTransfer(id: string) {
  return useServiceMutation(async (email: string) =>
    unwrap(
      await api.POST("/api/provisioning/services/{service_id}/transfers", {
        params: { path: { service_id: id } },
        body: { to_email: email },
      }),
    ),
  );
}

export function useAcceptTransfer() {
  return useServiceMutation(async (transferId: string) =>
    unwrap(await api.POST("/api/provisioning/transfers/{transfer_id}/accept", { params: { path: { transfer_id: transferId } } })),
  );
}

export function useCancelTransfer() {
  return useServiceMutation(async (transferId: string) =>
    unwrap(await api.POST("/api/provisioning/transfers/{transfer_id}/cancel", { params: { path: { transfer_id: transferId } } })),
  );
}
