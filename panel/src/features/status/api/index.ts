// The public status page (issue 17, S-4): anyone may read it, signed in or not (support's GET /status needs no login;
// authFetch sends a token only when there is a session).
import { useQuery } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type StatusPage = Schemas["support.StatusPage"];
export type StatusServer = Schemas["support.ServerPublic"];
export type StatusIncident = Schemas["support.IncidentPublic"];
export type StatusMaintenance = Schemas["support.MaintenancePublic"];

export const statusKeys = { page: () => ["status", "page"] as const };

/** The page refreshes itself every minute, as a status page left open should. */
export function useStatusPage() {
  return useQuery({
    queryKey: statusKeys.page(),
    queryFn: async () => unwrap(await api.GET("/api/support/status")),
    refetchInterval: 60_000,
  });
}
