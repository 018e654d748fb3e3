import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export const creditKeys = { all: ["credit"] as const, movements: ["credit", "movements"] as const };

export function useCredit() {
  return useQuery({ queryKey: creditKeys.all, queryFn: async () => unwrap(await api.GET("/api/billing/credit")) });
}

const PAGE = 20;

/** The ledger newest first, a page at a time (keyset: `next_before` asks for the older page). */
export function useCreditMovements() {
  return useInfiniteQuery({
    queryKey: creditKeys.movements,
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/billing/credit/movements", {
          params: { query: pageParam ? { limit: PAGE, before: pageParam } : { limit: PAGE } },
        }),
      ),
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
}
