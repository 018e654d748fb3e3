// A ticket's thread, oldest first, with each message's attachments: the client's ticket page and the desk show the
// same thread, each with its own words for who wrote a message (internal notes, desk only, are marked).
import type { ReactNode } from "react";

import { downloadAttachment, type TicketDetail, type TicketMessage } from "../api";

export function Thread({
  ticket,
  testId,
  mine,
  meta,
}: {
  ticket: TicketDetail;
  testId: string;
  /** Whether a message stands on the reader's side of the thread. */
  mine: (message: TicketMessage) => boolean;
  meta: (message: TicketMessage) => ReactNode;
}) {
  return (
    <ol className="thread" aria-live="polite">
      {ticket.messages.map((m) => (
        <li key={m.id} className={`message message-${mine(m) ? "mine" : "staff"}${m.internal ? " message-note" : ""}`} data-testid={testId}>
          <p className="message-meta">{meta(m)}</p>
          <p className="message-body">{m.body}</p>
          {m.attachments.length > 0 && (
            <ul className="message-files">
              {m.attachments.map((a) => (
                <li key={a.id}>
                  <button type="button" className="linklike" onClick={() => void downloadAttachment(ticket.id, a.id, a.filename)}>
                    {a.filename}
                  </button>{" "}
                  <span className="muted">({Math.ceil(a.size / 1024)} KB)</span>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
