// The affiliate program (issue 18, F-1..F-3): the account and its link, sign-ups, the commission ledger with
// maturity dates, monthly earnings, withdrawals and the monthly statement PDF.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { authFetch } from "@/lib/auth";
import { ApiError, asProblem, unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type Affiliate = Schemas["affiliate.AffiliateSummary"];
export type WithdrawalCreate = Schemas["affiliate.WithdrawalCreate"];

export const affiliateKeys = {
  all: ["affiliate"] as const,
  me: () => [...affiliateKeys.all, "me"] as const,
  ledger: () => [...affiliateKeys.all, "ledger"] as const,
  monthly: () => [...affiliateKeys.all, "monthly"] as const,
  referrals: () => [...affiliateKeys.all, "referrals"] as const,
  withdrawals: () => [...affiliateKeys.all, "withdrawals"] as const,
};

/** The account, or null while the client has not joined. */
export function useAffiliate() {
  return useQuery({
    queryKey: affiliateKeys.me(),
    queryFn: async () => {
      try {
        return unwrap(await api.GET("/api/affiliate/affiliates/me"));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useLedger(enabled: boolean) {
  return useQuery({ queryKey: affiliateKeys.ledger(), enabled, queryFn: async () => unwrap(await api.GET("/api/affiliate/affiliates/me/ledger")) });
}

export function useMonthly(enabled: boolean) {
  return useQuery({ queryKey: affiliateKeys.monthly(), enabled, queryFn: async () => unwrap(await api.GET("/api/affiliate/affiliates/me/monthly")) });
}

export function useMyReferrals(enabled: boolean) {
  return useQuery({ queryKey: affiliateKeys.referrals(), enabled, queryFn: async () => unwrap(await api.GET("/api/affiliate/affiliates/me/referrals")) });
}

export function useWithdrawals(enabled: boolean) {
  return useQuery({ queryKey: affiliateKeys.withdrawals(), enabled, queryFn: async () => unwrap(await api.GET("/api/affiliate/affiliates/me/withdrawals")) });
}

function useAffiliateMutation<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: async () => client.invalidateQueries({ queryKey: affiliateKeys.all }) });
}

export function useJoin() {
  return useAffiliateMutation(async () => unwrap(await api.POST("/api/affiliate/affiliates/me")));
}

export function useWithdraw() {
  return useAffiliateMutation(async (body: WithdrawalCreate) => unwrap(await api.POST("/api/affiliate/affiliates/me/withdrawals", { body })));
}

/** The month's statement as a PDF, fetched with the session's token and saved by the browser. */
export async function downloadStatement(month: string): Promise<void> {
  const response = await authFetch(new Request(`/api/affiliate/affiliates/me/statements/${month}/pdf`));
  if (!response.ok) throw new ApiError(response.status, asProblem(await response.json().catch(() => null), response.status));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `afiliado-${month}.pdf`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
