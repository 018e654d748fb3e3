import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export function useReferrals() {
  return useQuery({ queryKey: ["referrals"], queryFn: async () => unwrap(await api.GET("/api/billing/referrals/me")) });
}
