// Support (issue 16, S-1..S-7): tickets with their SLA deadlines, quotes, remote-support appointments. The stream
// (features/live) refreshes these answers when staff reply, send a quote or an appointment comes near.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { components } from "@/lib/api/schema";
import { api } from "@/lib/api/client";
import { authFetch } from "@/lib/auth";
import { unwrap } from "@/lib/problem";

type Schemas = components["schemas"];
export type Ticket = Schemas["support.TicketPublic"];
export type TicketDetail = Schemas["support.TicketDetail"];
export type TicketMessage = Schemas["support.MessagePublic"];
export type SlaClass = Schemas["support.SlaClass"];
export type Quote = Schemas["support.QuotePublic"];
export type Appointment = Schemas["support.AppointmentPublic"];
export type AttachmentIn = Schemas["support.AttachmentIn"];

export const supportKeys = {
  all: ["support"] as const,
  plan: () => [...supportKeys.all, "plan"] as const,
  tickets: () => [...supportKeys.all, "tickets"] as const,
  ticket: (id: string) => [...supportKeys.all, "tickets", id] as const,
  quotes: () => [...supportKeys.all, "quotes"] as const,
  appointments: () => [...supportKeys.all, "appointments"] as const,
  slots: (day: string, minutes: number) => [...supportKeys.all, "slots", day, minutes] as const,
};

export function useSupportPlan() {
  return useQuery({ queryKey: supportKeys.plan(), queryFn: async () => unwrap(await api.GET("/api/support/support-plan")) });
}

export function useTickets() {
  return useQuery({
    queryKey: supportKeys.tickets(),
    queryFn: async () => unwrap(await api.GET("/api/support/tickets", { params: { query: { limit: 200 } } })),
  });
}

export function useTicket(id: string) {
  return useQuery({
    queryKey: supportKeys.ticket(id),
    queryFn: async () => unwrap(await api.GET("/api/support/tickets/{ticket_id}", { params: { path: { ticket_id: id } } })),
  });
}

export function useQuotes() {
  return useQuery({
    queryKey: supportKeys.quotes(),
    queryFn: async () => unwrap(await api.GET("/api/support/quotes", { params: { query: { limit: 200 } } })),
  });
}

export function useAppointments() {
  return useQuery({
    queryKey: supportKeys.appointments(),
    queryFn: async () => unwrap(await api.GET("/api/support/appointments")),
  });
}

export function useSlots(day: string, minutes: number) {
  return useQuery({
    queryKey: supportKeys.slots(day, minutes),
    enabled: Boolean(day),
    queryFn: async () => unwrap(await api.GET("/api/support/appointments/slots", { params: { query: { day, minutes } } })),
  });
}

function useSupportMutation<T, R>(fn: (value: T) => Promise<R>, also: string[][] = []) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: supportKeys.all });
      for (const queryKey of also) await client.invalidateQueries({ queryKey });
    },
  });
}

export function useOpenTicket() {
  return useSupportMutation(async (body: Schemas["support.TicketCreate"]) => unwrap(await api.POST("/api/support/tickets", { body })));
}

export function useReply(id: string) {
  return useSupportMutation(async (body: { message: string; attachments: AttachmentIn[] }) =>
    unwrap(await api.POST("/api/support/tickets/{ticket_id}/messages", { params: { path: { ticket_id: id } }, body })),
  );
}

export function useCloseTicket(id: string) {
  return useSupportMutation(async () =>
    unwrap(await api.POST("/api/support/tickets/{ticket_id}/close", { params: { path: { ticket_id: id } } })),
  );
}

/** S-6: accepting places the order; billing issues the invoice from the acceptance a moment later. */
export function useAcceptQuote() {
  return useSupportMutation(
    async (id: string) => unwrap(await api.POST("/api/support/quotes/{quote_id}/accept", { params: { path: { quote_id: id } } })),
    [["invoices"]],
  );
}

export function useBook() {
  return useSupportMutation(async (body: Schemas["support.AppointmentCreate"]) =>
    unwrap(await api.POST("/api/support/appointments", { body })),
  );
}

export function useCancelAppointment() {
  return useSupportMutation(async (id: string) =>
    unwrap(await api.POST("/api/support/appointments/{appointment_id}/cancel", { params: { path: { appointment_id: id } } })),
  );
}

export function useMoveAppointment() {
  return useSupportMutation(async ({ id, starts_at, minutes }: { id: string; starts_at: string; minutes?: number }) =>
    unwrap(
      await api.PUT("/api/support/appointments/{appointment_id}", {
        params: { path: { appointment_id: id } },
        body: { starts_at, minutes },
      }),
    ),
  );
}

/** An attachment is fetched with the session's token (a plain link could not send it) and saved by the browser. */
export async function downloadAttachment(ticketId: string, attachmentId: string, filename: string): Promise<void> {
  const response = await authFetch(new Request(`/api/support/tickets/${ticketId}/attachments/${attachmentId}`));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Files as the API takes them (base64), read in the browser. */
export async function toAttachments(files: File[]): Promise<AttachmentIn[]> {
  return Promise.all(
    files.map(
      (file) =>
        new Promise<AttachmentIn>((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () => resolve({ filename: file.name.slice(0, 200), content_base64: String(reader.result).split(",", 2)[1] ?? "" });
          reader.onerror = () => reject(reader.error ?? new Error("read"));
          reader.readAsDataURL(file);
        }),
    ),
  );
}
