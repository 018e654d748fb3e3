import type { BillingService, ProvisionedService } from "@/lib/api/client";

export type ServiceRow = BillingService & { state: string; kind: string | null; activatedAt: string | null };

/** Billing's services with provisioning's state: the state on the servers is what the client lives with. */
export function mergeServices(billing: BillingService[], provisioned: ProvisionedService[] | undefined): ServiceRow[] {
  const byId = new Map((provisioned ?? []).map((s) => [s.id, s]));
  return billing.map((service) => {
    const live = byId.get(service.id);
    const state = live && live.state !== "pending" ? live.state : service.status;
    return { ...service, state, kind: live?.kind ?? null, activatedAt: live?.activated_at ?? null };
  });
}
