import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";

import { api, type User } from "@/lib/api/client";
import { getSession, isRestored, subscribe } from "@/lib/auth";
import { isLanguage, setLanguage } from "@/lib/i18n";
import { unwrap } from "@/lib/problem";

export const meKey = ["me"] as const;

export async function getMe(): Promise<User> {
  return unwrap(await api.GET("/api/auth/me"));
}

/** Whether this tab holds a session: "unknown" while the refresh cookie is tried on first load. */
export function useSessionState(): "unknown" | "signed-in" | "signed-out" {
  const session = useSyncExternalStore(subscribe, getSession);
  const restored = useSyncExternalStore(subscribe, isRestored);
  if (session) return "signed-in";
  return restored ? "signed-out" : "unknown";
}

/** The signed-in account; the page follows its language. */
export function useMe() {
  const state = useSessionState();
  const query = useQuery({ queryKey: meKey, queryFn: getMe, enabled: state === "signed-in", staleTime: 60_000 });
  const language = query.data?.language;
  useEffect(() => {
    if (isLanguage(language)) setLanguage(language);
  }, [language]);
  return query;
}

/** Forget every cached answer when the session ends, so the next account never sees the last one's data. */
export function useClearCacheOnSignOut(): void {
  const client = useQueryClient();
  useEffect(
    () =>
      subscribe((session) => {
        if (!session) client.clear();
      }),
    [client],
  );
}
