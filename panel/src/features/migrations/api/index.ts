// P-8: hosting migration requests. The client asks on its service page; staff work them from the console. The old
// server's access goes up once and comes back only to staff, one request at a time (each look audited).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { unwrap } from "@/lib/problem";

type S = components["schemas"];
export type Migration = S["provisioning.MigrationPublic"];
export type StaffMigration = S["provisioning.StaffMigration"];
export type OldServerAccess = S["provisioning.OldServerAccess"];
export type MigrationRequest = S["provisioning.MigrationCreate"];

export const migrationKeys = {
  all: ["migrations"] as const,
  service: (id: string) => [...migrationKeys.all, "service", id] as const,
  staff: () => ["staff", "migrations"] as const,
};

const path = (service_id: string) => ({ params: { path: { service_id } } });
const request = (request_id: string) => ({ params: { path: { request_id } } });

export function useMigrations(serviceId: string) {
  return useQuery({
    queryKey: migrationKeys.service(serviceId),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/services/{service_id}/migrations", path(serviceId))),
    // staff work on it meanwhile: the client sees their progress without reloading
    refetchInterval: 15_000,
  });
}

export function useRequestMigration(serviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: MigrationRequest) =>
      unwrap(await api.POST("/api/provisioning/services/{service_id}/migrations", { ...path(serviceId), body })),
    onSuccess: () => client.invalidateQueries({ queryKey: migrationKeys.service(serviceId) }),
  });
}

export function useStaffMigrations() {
  return useQuery({
    queryKey: migrationKeys.staff(),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/migrations", { params: { query: { status: "open" } } })),
  });
}

/** Each call is one audited look at the old server's access: never cached. */
export function useRevealAccess() {
  return useMutation({
    mutationFn: async (requestId: string) => unwrap(await api.POST("/api/provisioning/staff/migrations/{request_id}/reveal", request(requestId))),
  });
}

function useStaffMutation<T>(fn: (value: T) => Promise<StaffMigration>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: ["staff"] }) });
}

export function useMigrationProgress() {
  return useStaffMutation(async ({ id, note }: { id: string; note: string }) =>
    unwrap(await api.POST("/api/provisioning/staff/migrations/{request_id}/progress", { ...request(id), body: { note } })),
  );
}

export function useFinishMigration() {
  return useStaffMutation(async ({ id, note }: { id: string; note: string }) =>
    unwrap(await api.POST("/api/provisioning/staff/migrations/{request_id}/done", { ...request(id), body: { note: note || null } })),
  );
}
