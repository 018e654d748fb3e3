// Live state (issue 13 item 4): the gateway's per-client server-sent events stream, read with fetch so the
// access token travels in a header (EventSource cannot send one). Each event refreshes the answers it changes.
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { authFetch } from "@/lib/auth";

export type LiveEvent = { type: string; client_id?: string; invoice_id?: string; service_id?: string };

const AFFECTS: Record<string, string[][]> = {
  InvoicePaid: [["invoices"], ["services"], ["credit"], ["domains"]],
  InvoiceIssued: [["invoices"]],
  InvoiceCancelled: [["invoices"], ["credit"]],
  ServiceActivated: [["services"], ["domains"]],
  ServiceReactivated: [["services"]],
  ServiceSuspended: [["services"]],
  ServiceTerminated: [["services"]],
  InvoiceReminder: [["invoices"]],
  ServiceOrdered: [["services"]],
  ServiceTransferred: [["services"]],
  UpgradeApplied: [["services"], ["invoices"]],
  DomainDeleted: [["services"], ["domains"]],
  EmailVerified: [["me"]],
  ClientUpdated: [["me"], ["billing-profile"]],
  ClientClosed: [["me"]],
  TicketReplied: [["support"]],
  AffiliateCreditWithdrawn: [["affiliate"], ["credit"]],
  ClientVerified: [["me"], ["affiliate"]],
  QuoteAvailable: [["support"]],
  QuoteAccepted: [["support"], ["invoices"]],
  AppointmentReminder: [["support"]],
};

export function applyEvent(client: QueryClient, event: LiveEvent): void {
  const keys = AFFECTS[event.type] ?? [["services"], ["invoices"], ["credit"]];
  for (const queryKey of keys) void client.invalidateQueries({ queryKey });
  void client.invalidateQueries({ queryKey: ["notifications", "inbox"] });
}

/** Parses `text/event-stream` frames from a byte stream; calls `onEvent` for each complete frame. */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: LiveEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = frame.split("\n");
      const name = lines.find((line) => line.startsWith("event:"))?.slice(6).trim();
      const data = lines
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (!data) continue;
      try {
        const event = JSON.parse(data) as LiveEvent;
        onEvent({ ...event, type: name || event.type });
      } catch {
        // not JSON (a comment or keep-alive): nothing to refresh
      }
    }
  }
}

/** Keeps the stream open while signed in; reconnects with backoff; each time it listens, refreshes what was read before. */
export function useLiveUpdates(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let attempt = 0;
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          const response = await authFetch(
            new Request("/api/stream", { headers: { Accept: "text/event-stream" }, signal: controller.signal }),
          );
          if (response.ok && response.body) {
            // What was read before the stream listened (the page's first answers, or everything after a gap) may
            // predate an event it will never see: read it again once (a request still in flight is left alone).
            const listening = Date.now();
            void client.invalidateQueries({ predicate: (query) => query.state.dataUpdatedAt <= listening }, { cancelRefetch: false });
            attempt = 0;
            await readEvents(response.body, (event) => applyEvent(client, event));
          } else if (response.status === 401 || response.status === 403) {
            return;
          }
        } catch {
          if (controller.signal.aborted) return;
        }
        attempt += 1;
        const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    void run();
    return () => controller.abort();
  }, [enabled, client]);
}
