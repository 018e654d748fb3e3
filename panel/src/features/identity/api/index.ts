// Identity verification (A-2, issue 18): the client's documents and tax id, and staff's review of them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { authFetch } from "@/lib/auth";
import { ApiError, asProblem, unwrap } from "@/lib/problem";

export type Identity = components["schemas"]["IdentityPublic"];
export type IdentitySubmit = components["schemas"]["IdentitySubmit"];
export type Side = "front" | "back" | "selfie";
export const SIDES: Side[] = ["front", "back", "selfie"];

const keys = {
  me: ["identity", "me"] as const,
  staff: (status: string) => ["staff", "identity", status] as const,
};

async function checked(response: Response): Promise<Response> {
  if (!response.ok) throw new ApiError(response.status, asProblem(await response.json().catch(() => null), response.status));
  return response;
}

export function useIdentity() {
  return useQuery({ queryKey: keys.me, queryFn: async () => unwrap(await api.GET("/api/identity/me")) });
}

/** One file as the raw body; the gateway recognises its type by content (JPEG, PNG, PDF) and stores it encrypted. */
export function useUpload() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ side, file }: { side: Side; file: File }) => {
      await checked(await authFetch(new Request(`/api/identity/me/documents/${side}`, { method: "PUT", body: file, headers: { "Content-Type": "application/octet-stream" } })));
      return side;
    },
    onSuccess: () => client.invalidateQueries({ queryKey: keys.me }),
  });
}

export function useSubmitIdentity() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: IdentitySubmit) => unwrap(await api.POST("/api/identity/me/submit", { body })),
    onSuccess: (identity) => client.setQueryData(keys.me, identity),
  });
}

// --- staff -------------------------------------------------------------------------------------------------------
export function useIdentityQueue(status: "pending" | "") {
  return useQuery({
    queryKey: keys.staff(status),
    queryFn: async () => unwrap(await api.GET("/api/identity/staff", { params: { query: status ? { status, limit: 100 } : { limit: 100 } } })),
  });
}

/** A client's uploaded file, decrypted, as an object URL the page shows (the caller revokes it). */
export async function documentUrl(clientId: string, side: Side): Promise<{ url: string; type: string }> {
  const response = await checked(await authFetch(new Request(`/api/identity/staff/${clientId}/documents/${side}`)));
  const blob = await response.blob();
  return { url: URL.createObjectURL(blob), type: blob.type };
}

export function useDecideIdentity() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ clientId, approve, reason }: { clientId: string; approve: boolean; reason: string }) => {
      const options = { params: { path: { client_id: clientId } }, body: { reason } };
      return unwrap(approve ? await api.POST("/api/identity/staff/{client_id}/approve", options) : await api.POST("/api/identity/staff/{client_id}/reject", options));
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["staff"] }),
  });
}
