// The staff desk (issue 16 item 5, S-1 S-3 S-6 S-7): the queue with its filters, a ticket's staff actions (reply,
// internal note, assignment, status, merging, canned replies), its quotes and the client's appointments. Every call
// answers 403 to a client's token; the desk is only a view of what support-svc lets staff do.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/problem";

import { supportKeys, type AttachmentIn, type SlaClass } from "./index";

type Schemas = components["schemas"];
export type StaffMember = Schemas["StaffMember"];
export type CannedReply = Schemas["support.CannedReplyPublic"];
export type QuoteCreate = Schemas["support.QuoteCreate"];
export type TicketStatus = "open" | "answered" | "waiting_on_client" | "closed";

/** The queue's filters: department (the SLA class: advice, maintenance, errors, design), state, deadline, assignee. */
export type DeskFilters = {
  sla_class?: SlaClass;
  status?: TicketStatus;
  /** "late": its deadline passed; "1h" / "4h" / "24h": due within that long. */
  due?: "late" | "1h" | "4h" | "24h";
  /** a staff member's id, or "none" for nobody's tickets */
  assignee?: string;
  q?: string;
  /** one client's tickets (the ticket page's merge choices) */
  client_id?: string;
};

const MINUTES = { late: 0, "1h": 60, "4h": 240, "24h": 1440 } as const;

export const deskKeys = {
  queue: (f: DeskFilters) => [...supportKeys.all, "desk", f] as const,
  canned: () => [...supportKeys.all, "canned"] as const,
  staff: () => ["staff", "members"] as const,
  quotes: (ticketId: string) => [...supportKeys.all, "quotes", ticketId] as const,
  appointments: (clientId: string) => [...supportKeys.all, "appointments", clientId] as const,
};

export function useDeskQueue(filters: DeskFilters) {
  return useQuery({
    queryKey: deskKeys.queue(filters),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000, // deadlines move with the clock: the queue's order and "late" badges follow
    queryFn: async () => {
      const assignee = filters.assignee;
      return unwrap(
        await api.GET("/api/support/tickets", {
          params: {
            query: {
              queue: true,
              limit: 200,
              sla_class: filters.sla_class,
              status: filters.status,
              due_within_minutes: filters.due ? MINUTES[filters.due] : undefined, // from the service's clock
              unassigned: assignee === "none" ? true : undefined,
              assigned_to: assignee && assignee !== "none" ? assignee : undefined,
              q: filters.q || undefined,
              client_id: filters.client_id,
            },
          },
        }),
      );
    },
  });
}

export function useStaffMembers() {
  return useQuery({ queryKey: deskKeys.staff(), staleTime: 300_000, queryFn: async () => unwrap(await api.GET("/api/auth/staff/members")) });
}

/** S-6: the catalog's active products with their prices, for quote lines ordered as services. */
export function useCatalogProducts() {
  return useQuery({ queryKey: ["support", "catalog"], staleTime: 300_000, queryFn: async () => unwrap(await api.GET("/api/billing/catalog/products")) });
}

export function useCannedReplies() {
  return useQuery({ queryKey: deskKeys.canned(), queryFn: async () => unwrap(await api.GET("/api/support/canned-replies")) });
}

export function useTicketQuotes(ticketId: string) {
  return useQuery({
    queryKey: deskKeys.quotes(ticketId),
    queryFn: async () => unwrap(await api.GET("/api/support/quotes", { params: { query: { ticket_id: ticketId, limit: 100 } } })),
  });
}

export function useClientAppointments(clientId: string | undefined) {
  return useQuery({
    queryKey: deskKeys.appointments(clientId ?? ""),
    enabled: Boolean(clientId),
    queryFn: async () => unwrap(await api.GET("/api/support/appointments", { params: { query: { client_id: clientId, limit: 100 } } })),
  });
}

function useDeskMutation<T, R>(fn: (value: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: supportKeys.all }) });
}

export type StaffReply = {
  message?: string;
  internal: boolean;
  status?: "answered" | "waiting_on_client" | "closed";
  canned_reply_id?: string;
  attachments: AttachmentIn[];
};

export function useStaffReply(ticketId: string) {
  return useDeskMutation(async (body: StaffReply) =>
    unwrap(await api.POST("/api/support/tickets/{ticket_id}/messages", { params: { path: { ticket_id: ticketId } }, body })),
  );
}

export function useUpdateTicket(ticketId: string) {
  return useDeskMutation(async (body: Schemas["support.TicketUpdate"]) =>
    unwrap(await api.PATCH("/api/support/tickets/{ticket_id}", { params: { path: { ticket_id: ticketId } }, body })),
  );
}

export function useMergeTicket(ticketId: string) {
  return useDeskMutation(async (intoTicketId: string) =>
    unwrap(
      await api.POST("/api/support/tickets/{ticket_id}/merge", {
        params: { path: { ticket_id: ticketId } },
        body: { into_ticket_id: intoTicketId },
      }),
    ),
  );
}

export function useAddCannedReply() {
  return useDeskMutation(async (body: { title: string; body: string }) => unwrap(await api.POST("/api/support/canned-replies", { body })));
}

export function useCreateQuote(ticketId: string) {
  return useDeskMutation(async (body: QuoteCreate) =>
    unwrap(await api.POST("/api/support/tickets/{ticket_id}/quotes", { params: { path: { ticket_id: ticketId } }, body })),
  );
}
