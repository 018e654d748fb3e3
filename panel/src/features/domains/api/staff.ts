// The console's view of domains (issue 21 item 4): by expiry, and the registrar operations failing (P-4) with a
// "retry now" that only brings the next attempt forward and is audited (who and when) by provisioning.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export type StaffDomain = components["schemas"]["provisioning.StaffDomain"];
export type RegistrarError = components["schemas"]["provisioning.RegistrarErrorPublic"];

const keys = {
  all: ["staff", "domains"] as const,
  byExpiry: (before: string) => [...keys.all, "expiry", before] as const,
  errors: () => [...keys.all, "errors"] as const,
};

export function useStaffDomains(expiringBefore: string) {
  return useQuery({
    queryKey: keys.byExpiry(expiringBefore),
    queryFn: async () =>
      unwrap(await api.GET("/api/provisioning/staff/domains", { params: { query: expiringBefore ? { expiring_before: expiringBefore } : {} } })),
  });
}

/** Looked at again every few seconds: an error goes away by itself once a retry succeeds. */
export function useRegistrarErrors() {
  return useQuery({
    queryKey: keys.errors(),
    refetchInterval: 5_000,
    queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/domains/errors")),
  });
}

export function useRetryRegistrarAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (actionId: number) =>
      unwrap(await api.POST("/api/provisioning/staff/actions/{action_id}/retry", { params: { path: { action_id: actionId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}
