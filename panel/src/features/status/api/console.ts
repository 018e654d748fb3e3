// The staff side of the status page (issue 17, S-4): servers and their health probes, incidents (declare, post
// updates, resolve) and maintenance windows; plus the client's own services with their server's incidents.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

import { statusKeys } from "./index";

type Schemas = components["schemas"];
export type StaffServer = Schemas["support.ServerStaff"];
export type ServerPut = Schemas["support.ServerPut"];
export type IncidentCreate = Schemas["support.IncidentCreate"];
export type IncidentUpdateCreate = Schemas["support.IncidentUpdateCreate"];
export type MaintenanceCreate = Schemas["support.MaintenanceCreate"];
export type MyServiceStatus = Schemas["support.MyServiceStatus"];
export type IncidentStatus = IncidentUpdateCreate["status"];
export const INCIDENT_STATUSES: IncidentStatus[] = ["investigating", "identified", "monitoring", "resolved"];

const keys = { servers: () => ["status", "servers"] as const, mine: () => ["status", "mine"] as const };

export function useServers() {
  return useQuery({ queryKey: keys.servers(), queryFn: async () => unwrap(await api.GET("/api/support/status/servers")) });
}

/** A staff change shows on the status page and the server list at once. */
function useStatusMutation<V, R>(call: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: statusKeys.page() }),
        client.invalidateQueries({ queryKey: keys.servers() }),
      ]);
    },
  });
}

export function usePutServer() {
  return useStatusMutation(async ({ name, body }: { name: string; body: ServerPut }) =>
    unwrap(await api.PUT("/api/support/status/servers/{name}", { params: { path: { name } }, body })),
  );
}

export function useDeclareIncident() {
  return useStatusMutation(async (body: IncidentCreate) => unwrap(await api.POST("/api/support/status/incidents", { body })));
}

export function useUpdateIncident() {
  return useStatusMutation(async ({ id, body }: { id: string; body: IncidentUpdateCreate }) =>
    unwrap(await api.POST("/api/support/status/incidents/{incident_id}/updates", { params: { path: { incident_id: id } }, body })),
  );
}

export function useScheduleMaintenance() {
  return useStatusMutation(async (body: MaintenanceCreate) => unwrap(await api.POST("/api/support/status/maintenance", { body })));
}

export function useCancelMaintenance() {
  return useStatusMutation(async (id: string) => {
    const result = await api.DELETE("/api/support/status/maintenance/{maintenance_id}", { params: { path: { maintenance_id: id } } });
    unwrap(result);
  });
}

/** The signed-in client's services with their server's open and recent incidents and coming maintenance. */
export function useMyStatus(enabled = true) {
  return useQuery({
    queryKey: keys.mine(),
    queryFn: async () => unwrap(await api.GET("/api/support/status/mine")),
    enabled,
    refetchInterval: 60_000,
  });
}
