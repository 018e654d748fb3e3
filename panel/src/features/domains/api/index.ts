// Domains (issue 21, D-1..D-3): the TLD price list (billing), availability and management (provisioning), the
// order (billing: one named domain per line). Registration waits for the registrant data (P-2).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { ApiError, unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type Tld = Schemas["billing.TldPublic"];
export type TldPrice = Schemas["billing.TldPricePublic"];
export type SearchResult = Schemas["provisioning.SearchResult"];
export type Domain = Schemas["provisioning.DomainPublic"];
export type Registrant = Schemas["provisioning.RegistrantData"];

export const domainKeys = {
  all: ["domains"] as const,
  tlds: () => [...domainKeys.all, "tlds"] as const,
  search: (q: string, tlds: string[]) => [...domainKeys.all, "search", q, ...tlds] as const,
  mine: () => [...domainKeys.all, "mine"] as const,
  one: (id: string) => [...domainKeys.all, "mine", id] as const,
  registrant: () => [...domainKeys.all, "registrant"] as const,
};

export function useTlds() {
  return useQuery({ queryKey: domainKeys.tlds(), staleTime: 5 * 60_000, queryFn: async () => unwrap(await api.GET("/api/billing/catalog/domains")) });
}

/** D-1: availability of `label` under the TLDs sold, with the registrar's suggestions (cached briefly there too). */
export function useDomainSearch(label: string, tlds: string[]) {
  return useQuery({
    queryKey: domainKeys.search(label, tlds),
    enabled: Boolean(label) && tlds.length > 0,
    staleTime: 60_000,
    queryFn: async () => unwrap(await api.GET("/api/provisioning/domains/search", { params: { query: { q: label, tlds } } })),
  });
}

/** A name just paid for is registered by the automation a moment later, with no click of the client's: while one is on
 * its way (waiting on the payment or at the registrar), the list looks again every few seconds. */
function anyOnItsWay(domains: Domain[] | undefined): boolean {
  return !!domains?.some((d) => d.status === "registering" || d.status === "transferring" || (d.status === "pending" && !d.needs));
}

export function useDomains() {
  return useQuery({
    queryKey: domainKeys.mine(),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/domains")),
    refetchInterval: (query) => (anyOnItsWay(query.state.data) ? 4_000 : false),
  });
}

/** A transfer in on its way (code sent, or waiting for the losing registrar) changes at the registrar with no event
 * of ours until it is done: its page looks again every few seconds meanwhile. */
function inFlight(domain: Domain | undefined): boolean {
  if (!domain || domain.operation !== "transfer") return false;
  return domain.status === "transferring" || ((domain.status === "pending" || domain.status === "awaiting_contact") && !domain.needs);
}

export function useDomain(id: string) {
  return useQuery({
    queryKey: domainKeys.one(id),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/domains/{service_id}", { params: { path: { service_id: id } } })),
    refetchInterval: (query) => (inFlight(query.state.data) ? 3_000 : false),
  });
}

/** The registrant data, or null while the client has not given it. */
export function useRegistrant() {
  return useQuery({
    queryKey: domainKeys.registrant(),
    queryFn: async () => {
      try {
        return unwrap(await api.GET("/api/provisioning/domains/registrant"));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

function useDomainMutation<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: domainKeys.all });
      await client.invalidateQueries({ queryKey: ["services"] });
      await client.invalidateQueries({ queryKey: ["invoices"] });
    },
  });
}

export function useSaveRegistrant() {
  return useDomainMutation(async (body: Registrant) => unwrap(await api.PUT("/api/provisioning/domains/registrant", { body })));
}

/** D-1: one named domain, one line; billing prices it at the TLD's register price (or its transfer price for a
 * transfer in, D-3: the EPP code then goes to provisioning, never to billing) and issues the invoice. */
export function useOrderDomain() {
  return useDomainMutation(
    async ({ productCode, cycle, name, transfer = false }: { productCode: string; cycle: TldPrice["cycle"]; name: string; transfer?: boolean }) =>
      unwrap(await api.POST("/api/billing/orders", { body: { items: [{ product_code: productCode, cycle, domain: name, quantity: 1, transfer }] } })),
  );
}

/** D-3 transfer in: the EPP (auth) code of an ordered domain, sent to the registrar once paid. */
export function useTransferIn(id: string) {
  return useDomainMutation(async (eppCode: string) =>
    unwrap(await api.POST("/api/provisioning/domains/{service_id}/transfer", { params: { path: { service_id: id } }, body: { epp_code: eppCode } })),
  );
}

export function useSetNameservers(id: string) {
  return useDomainMutation(async (body: { nameservers: string[]; use_provider_dns: boolean }) =>
    unwrap(await api.PUT("/api/provisioning/domains/{service_id}/nameservers", { params: { path: { service_id: id } }, body })),
  );
}

export function useSetLock(id: string) {
  return useDomainMutation(async (locked: boolean) =>
    unwrap(await api.PUT("/api/provisioning/domains/{service_id}/lock", { params: { path: { service_id: id } }, body: { locked } })),
  );
}

export function useEppCode(id: string) {
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/provisioning/domains/{service_id}/epp-code", { params: { path: { service_id: id } } })),
  });
}

/** The price of `years` of a TLD in `currency` (register price), or undefined when not sold so. */
export function priceOf(tld: Tld | undefined, currency: string): TldPrice | undefined {
  return tld?.prices.filter((p) => p.currency === currency).sort((a, b) => a.years - b.years)[0];
}
