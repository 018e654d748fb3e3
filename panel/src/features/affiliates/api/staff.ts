// The affiliate program in the staff console (issue 18): affiliates and one affiliate's page, held attributions
// (approve or refuse with a reason), bank withdrawals (approve, mark paid with the transfer reference, reject).
// Every decision is audited by the affiliate service.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type StaffAttribution = Schemas["affiliate.AttributionPublic"];
export type StaffWithdrawal = Schemas["affiliate.WithdrawalStaff"];
export type AffiliateDetail = Schemas["affiliate.AffiliateDetail"];

const keys = {
  all: ["staff", "affiliates"] as const,
  list: () => [...keys.all, "list"] as const,
  held: () => [...keys.all, "held"] as const,
  withdrawals: (status: string) => [...keys.all, "withdrawals", status] as const,
  one: (id: string) => [...keys.all, "one", id] as const,
};

export function useStaffAffiliates() {
  return useQuery({ queryKey: keys.list(), queryFn: async () => unwrap(await api.GET("/api/affiliate/staff/affiliates", { params: { query: { limit: 100 } } })) });
}

export function useHeldAttributions() {
  return useQuery({ queryKey: keys.held(), queryFn: async () => unwrap(await api.GET("/api/affiliate/staff/attributions", { params: { query: { status: "held", limit: 100 } } })) });
}

export function useStaffWithdrawals(status: "requested" | "approved") {
  return useQuery({ queryKey: keys.withdrawals(status), queryFn: async () => unwrap(await api.GET("/api/affiliate/staff/withdrawals", { params: { query: { status, limit: 100 } } })) });
}

export function useStaffAffiliate(id: string) {
  return useQuery({ queryKey: keys.one(id), queryFn: async () => unwrap(await api.GET("/api/affiliate/staff/affiliates/{client_id}", { params: { path: { client_id: id } } })) });
}

function useDecision<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: async () => client.invalidateQueries({ queryKey: keys.all }) });
}

export function useDecideAttribution() {
  return useDecision(async ({ clientId, approve, reason }: { clientId: string; approve: boolean; reason: string }) => {
    const options = { params: { path: { client_id: clientId } }, body: { reason } };
    return unwrap(approve ? await api.POST("/api/affiliate/staff/attributions/{client_id}/approve", options) : await api.POST("/api/affiliate/staff/attributions/{client_id}/refuse", options));
  });
}

export type WithdrawalAction = { id: string; action: "approve" } | { id: string; action: "paid"; reference: string } | { id: string; action: "reject"; reason: string };

export function useDecideWithdrawal() {
  return useDecision(async (decision: WithdrawalAction) => {
    const path = { params: { path: { withdrawal_id: decision.id } } };
    if (decision.action === "approve") return unwrap(await api.POST("/api/affiliate/staff/withdrawals/{withdrawal_id}/approve", path));
    if (decision.action === "paid") return unwrap(await api.POST("/api/affiliate/staff/withdrawals/{withdrawal_id}/paid", { ...path, body: { transfer_reference: decision.reference } }));
    return unwrap(await api.POST("/api/affiliate/staff/withdrawals/{withdrawal_id}/reject", { ...path, body: { reason: decision.reason } }));
  });
}
