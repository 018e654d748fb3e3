import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

export function useCredit() {
  return useQuery({ queryKey: ["credit"], queryFn: async () => unwrap(await api.GET("/api/billing/credit")) });
}
