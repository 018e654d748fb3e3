import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";
import type { components } from "@/lib/api/schema";

export type UserUpdate = components["schemas"]["UserUpdate"];

export function useUpdateProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (update: UserUpdate) => unwrap(await api.PATCH("/api/auth/me", { body: update })),
    onSuccess: (user) => client.setQueryData(["me"], user),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: async (change: { current_password: string; new_password: string }) =>
      unwrap(await api.POST("/api/auth/password", { body: change })),
  });
}
