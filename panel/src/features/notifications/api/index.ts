import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";
import type { components } from "@/lib/api/schema";

export type PreferencesUpdate = components["schemas"]["notify.PreferencesUpdate"];

export function useInbox(limit = 50) {
  return useQuery({
    queryKey: ["notifications", "inbox", limit],
    queryFn: async () => unwrap(await api.GET("/api/notify/inbox", { params: { query: { limit } } })),
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/api/notify/inbox/{message_id}/read", { params: { path: { message_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["notifications", "inbox"] }),
  });
}

export function usePreferences() {
  return useQuery({ queryKey: ["notifications", "preferences"], queryFn: async () => unwrap(await api.GET("/api/notify/preferences/me")) });
}

export function useUpdatePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (update: PreferencesUpdate) => unwrap(await api.PATCH("/api/notify/preferences/me", { body: update })),
    onSuccess: (data) => client.setQueryData(["notifications", "preferences"], data),
  });
}
