// The staff console's API calls (issue 14): each a small typed function and its query hook. Every one of these
// endpoints answers 403 to a client token; the console is only a view of what the services allow staff.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { unwrap } from "@/lib/problem";

type S = components["schemas"];
export type ClientSummary = S["ClientSummary"];
export type ClientProfile = S["ClientProfile"];
export type GatewayAudit = S["AuditEntryPublic"];
export type StaffInvoice = S["billing.InvoicePublic"];
export type WaitingTransfer = S["billing.WaitingTransfer"];
export type ClientBilling = S["billing.ClientBilling"];
export type MonthlyFigure = S["billing.MonthlyFigure"];
export type StaffService = S["provisioning.StaffService"];
export type ClientProvisioning = S["provisioning.ClientProvisioning"];
export type StaffTask = S["provisioning.StaffTaskPublic"];
export type DriverAction = S["provisioning.DriverActionPublic"];
export type Delivery = S["notify.MessageDelivery"];
export type Ticket = S["support.TicketPublic"];

export type InvoiceFilters = {
  q?: string;
  status?: "unpaid" | "paid" | "cancelled" | "refunded" | "waived";
  currency?: string;
  method?: string;
  due_from?: string;
  due_to?: string;
};

export const staffKeys = {
  all: ["staff"] as const,
  search: (q: string) => [...staffKeys.all, "search", q] as const,
  client: (id: string) => [...staffKeys.all, "client", id] as const,
  invoices: (f: InvoiceFilters) => [...staffKeys.all, "invoices", f] as const,
  waiting: () => [...staffKeys.all, "waiting"] as const,
  work: () => [...staffKeys.all, "work"] as const,
  figures: () => [...staffKeys.all, "figures"] as const,
  services: (f: object) => [...staffKeys.all, "services", f] as const,
  facets: () => [...staffKeys.all, "facets"] as const,
  tasks: () => [...staffKeys.all, "tasks"] as const,
  actions: () => [...staffKeys.all, "actions"] as const,
};

// --- find anything (item 1) ------------------------------------------------------------------------------------
export type SearchResults = { clients: ClientSummary[]; invoices: StaffInvoice[]; services: StaffService[]; tickets: Ticket[] };

/** One query, four services asked at once; a service that fails leaves its part empty rather than the whole. */
export async function searchEverything(q: string): Promise<SearchResults> {
  const query = { q };
  const [clients, invoices, services, tickets] = await Promise.allSettled([
    api.GET("/api/auth/staff/clients", { params: { query: { ...query, limit: 20 } } }).then(unwrap),
    api.GET("/api/billing/staff/invoices", { params: { query: { ...query, limit: 20 } } }).then(unwrap),
    api.GET("/api/provisioning/staff/services", { params: { query: { ...query, limit: 20 } } }).then(unwrap),
    api.GET("/api/support/tickets", { params: { query: { ...query, limit: 20 } } }).then(unwrap),
  ]);
  const value = <T,>(r: PromiseSettledResult<T>, empty: T): T => (r.status === "fulfilled" ? r.value : empty);
  return { clients: value(clients, []), invoices: value(invoices, []), services: value(services, []), tickets: value(tickets, []) };
}

export function useSearch(q: string) {
  return useQuery({
    queryKey: staffKeys.search(q),
    queryFn: () => searchEverything(q),
    enabled: q.trim().length > 0,
    placeholderData: keepPreviousData,
  });
}

// --- client 360 (item 2) ---------------------------------------------------------------------------------------
const path = (client_id: string) => ({ params: { path: { client_id } } });

// While something on the page waits for the automation (a reported transfer, a suspended or pending service), it is
// asked again every few seconds: staff see a payment reactivate the service without reloading.
const WAITING = ["suspended", "pending"];
const every = (busy: boolean) => (busy ? 2_000 : 30_000);

export function useClientProfile(id: string) {
  return useQuery({ queryKey: [...staffKeys.client(id), "profile"], queryFn: async () => unwrap(await api.GET("/api/auth/staff/clients/{client_id}", path(id))) });
}

export function useClientBilling(id: string) {
  return useQuery({
    queryKey: [...staffKeys.client(id), "billing"],
    queryFn: async () => unwrap(await api.GET("/api/billing/staff/clients/{client_id}", path(id))),
    refetchInterval: (query) => {
      const data = query.state.data;
      return every(!!data && (data.transfer_reports.some((r) => r.invoice.status === "unpaid") || data.services.some((s) => WAITING.includes(s.status))));
    },
  });
}

export function useClientProvisioning(id: string) {
  return useQuery({
    queryKey: [...staffKeys.client(id), "provisioning"],
    queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/clients/{client_id}", path(id))),
    refetchInterval: (query) => every(!!query.state.data?.services.some((s) => WAITING.includes(s.state))),
  });
}

export function useClientMessages(id: string) {
  return useQuery({
    queryKey: [...staffKeys.client(id), "messages"],
    queryFn: async () => unwrap(await api.GET("/api/notify/staff/clients/{client_id}/messages", path(id))),
  });
}

export function useClientAudit(id: string) {
  return useQuery({
    queryKey: [...staffKeys.client(id), "audit"],
    queryFn: async () => unwrap(await api.GET("/api/auth/staff/audit", { params: { query: { client_id: id, limit: 100 } } })),
  });
}

/** Staff ids to names (or e-mails) for audit rows, from the gateway's staff list; an id that is no longer staff
 * (demoted, closed) stays out of the map and is shown by its short id. */
export function useStaffNames() {
  const members = useQuery({
    queryKey: [...staffKeys.all, "names"],
    staleTime: 300_000,
    queryFn: async () => unwrap(await api.GET("/api/auth/staff/members")),
  });
  return new Map((members.data ?? []).map((m) => [m.id, m.name || m.email]));
}

function useInvalidateStaff() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: staffKeys.all });
}

export function useAdjustCredit(clientId: string) {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async (body: { amount_minor: number; currency: string; reason: string }) =>
      unwrap(await api.POST("/api/billing/staff/clients/{client_id}/credit", { ...path(clientId), body })),
    onSuccess: invalidate,
  });
}

export function useCloseAccount(clientId: string) {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async (reason: string) => unwrap(await api.POST("/api/auth/staff/clients/{client_id}/close", { ...path(clientId), body: { reason } })),
    onSuccess: invalidate,
  });
}

export function useOrderForClient(clientId: string) {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async (item: { product_code: string; cycle: S["billing.Cycle"]; domain?: string }) =>
      unwrap(await api.POST("/api/billing/staff/clients/{client_id}/orders", { ...path(clientId), body: { items: [item] } })),
    onSuccess: invalidate,
  });
}

export function useProducts() {
  return useQuery({ queryKey: [...staffKeys.all, "products"], queryFn: async () => unwrap(await api.GET("/api/billing/staff/catalog/products")), staleTime: 60_000 });
}

// --- billing work (item 3) -------------------------------------------------------------------------------------
const invoicePath = (invoice_id: string) => ({ params: { path: { invoice_id } } });

export function useConfirmTransfer() {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async ({ invoiceId, amount_minor, transfer_reference }: { invoiceId: string; amount_minor: number; transfer_reference: string }) =>
      unwrap(await api.POST("/api/billing/staff/invoices/{invoice_id}/confirm-transfer", { ...invoicePath(invoiceId), body: { amount_minor, transfer_reference } })),
    onSuccess: invalidate,
  });
}

export function useInvoiceAction(action: "waive" | "refund") {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async ({ invoiceId, reason }: { invoiceId: string; reason: string }) =>
      action === "waive"
        ? unwrap(await api.POST("/api/billing/staff/invoices/{invoice_id}/waive", { ...invoicePath(invoiceId), body: { reason } }))
        : unwrap(await api.POST("/api/billing/staff/invoices/{invoice_id}/refund", { ...invoicePath(invoiceId), body: { reason } })),
    onSuccess: invalidate,
  });
}

export function useResendInvoice() {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async (invoiceId: string) => unwrap(await api.POST("/api/billing/staff/invoices/{invoice_id}/resend", invoicePath(invoiceId))),
    onSuccess: invalidate,
  });
}

export function useWaitingTransfers() {
  return useQuery({ queryKey: staffKeys.waiting(), queryFn: async () => unwrap(await api.GET("/api/billing/staff/transfers/waiting")) });
}

export function useStaffInvoices(filters: InvoiceFilters) {
  return useQuery({
    queryKey: staffKeys.invoices(filters),
    queryFn: async () => unwrap(await api.GET("/api/billing/staff/invoices", { params: { query: { ...filters, limit: 200 } } })),
    placeholderData: keepPreviousData,
  });
}

/** The filtered list as CSV, fetched with the access token and saved as a file (a plain link carries no token). */
export async function downloadInvoicesCsv(filters: InvoiceFilters): Promise<void> {
  const blob = unwrap(await api.GET("/api/billing/staff/invoices-export", { params: { query: filters }, parseAs: "blob" })) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = "facturas.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function useCoupons() {
  return useQuery({ queryKey: [...staffKeys.all, "coupons"], queryFn: async () => unwrap(await api.GET("/api/billing/staff/coupons")) });
}

// --- provisioning work (item 4) --------------------------------------------------------------------------------
export function useStaffServices(filters: { q?: string; state?: string; driver?: string; server?: string }) {
  return useQuery({
    queryKey: staffKeys.services(filters),
    queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/services", { params: { query: { ...filters, limit: 200 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useFacets() {
  return useQuery({ queryKey: staffKeys.facets(), queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/services/facets")) });
}

export function useTasks() {
  return useQuery({ queryKey: staffKeys.tasks(), queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/tasks", { params: { query: { status: "open" } } })) });
}

export function useFailedActions() {
  return useQuery({ queryKey: staffKeys.actions(), queryFn: async () => unwrap(await api.GET("/api/provisioning/staff/actions/failed")) });
}

export function useRetryAction() {
  const invalidate = useInvalidateStaff();
  return useMutation({
    mutationFn: async (actionId: number) => unwrap(await api.POST("/api/provisioning/staff/actions/{action_id}/retry", { params: { path: { action_id: actionId } } })),
    onSuccess: invalidate,
  });
}

// --- home (item 6) ---------------------------------------------------------------------------------------------
export function useWork() {
  return useQuery({
    queryKey: staffKeys.work(),
    queryFn: async () => {
      const [gateway, billing, provisioning] = await Promise.all([
        api.GET("/api/auth/staff/work").then(unwrap),
        api.GET("/api/billing/staff/work").then(unwrap),
        api.GET("/api/provisioning/staff/work").then(unwrap),
      ]);
      return { ...gateway, ...billing, ...provisioning };
    },
    refetchInterval: 60_000,
  });
}

export function useMonthlyFigures() {
  return useQuery({ queryKey: staffKeys.figures(), queryFn: async () => unwrap(await api.GET("/api/billing/staff/figures/monthly", { params: { query: { months: 12 } } })) });
}
