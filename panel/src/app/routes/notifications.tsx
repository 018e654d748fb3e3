import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { Card, EmptyState, ErrorNotice, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import { useInbox, useMarkRead, usePreferences, useUpdatePreferences } from "@/features/notifications/api";
import type { InboxMessage } from "@/lib/api/client";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

function Message({ message, open, onToggle }: { message: InboxMessage; open: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  return (
    <li className={`row ${message.read_at ? "" : "unread"}`}>
      <div style={{ flex: 1 }}>
        <button type="button" className="linklike row-title" aria-expanded={open} aria-controls={`msg-${message.id}`} onClick={onToggle}>
          {message.subject}
        </button>
        <span className="row-sub">
          {formatDateTime(message.created_at, locale())}
          {!message.read_at && ` · ${t("notifications.unread")}`}
        </span>
        {open && (
          <pre className="message-body" id={`msg-${message.id}`}>
            {message.body_text}
          </pre>
        )}
      </div>
    </li>
  );
}

function Preferences() {
  const { t } = useTranslation();
  const preferences = usePreferences();
  const update = useUpdatePreferences();
  if (preferences.isPending) return <Spinner />;
  if (preferences.isError) return <ErrorNotice error={preferences.error} />;
  const p = preferences.data;
  return (
    <div className="form">
      <SelectField
        label={t("notifications.language")}
        value={p.language ?? ""}
        onChange={(e) => update.mutate({ language: (e.target.value || null) as "es" | "en" | null })}
      >
        <option value="">{t("notifications.languageAccount")}</option>
        <option value="es">Español</option>
        <option value="en">English</option>
      </SelectField>
      <label className="switch">
        <input type="checkbox" checked={!p.marketing_opt_out} onChange={(e) => update.mutate({ marketing_opt_out: !e.target.checked })} />
        <span>{t("notifications.marketing")}</span>
      </label>
      <label className="switch">
        <input type="checkbox" checked={!p.whatsapp_opt_out} onChange={(e) => update.mutate({ whatsapp_opt_out: !e.target.checked })} />
        <span>{t("notifications.whatsapp")}</span>
      </label>
      <p className="summary-note">{t("notifications.alwaysSent")}</p>
      {update.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
      <ErrorNotice error={update.error} />
    </div>
  );
}

export default function NotificationsRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const inbox = useInbox();
  const markRead = useMarkRead();
  const [open, setOpen] = useState<string | null>(params.get("open"));
  const toggle = (message: InboxMessage) => {
    const next = open === message.id ? null : message.id;
    setOpen(next);
    if (next && !message.read_at) markRead.mutate(message.id);
  };
  return (
    <>
      <PageHeader title={t("nav.notifications")} subtitle={inbox.data ? t("notifications.unreadCount", { count: inbox.data.unread }) : undefined} />
      <div className="grid-main">
        <Card title={t("notifications.inbox")}>
          {inbox.isPending ? (
            <Spinner />
          ) : inbox.isError ? (
            <ErrorNotice error={inbox.error} />
          ) : inbox.data.items.length === 0 ? (
            <EmptyState title={t("notifications.empty")} />
          ) : (
            <ul className="rows">
              {inbox.data.items.map((message) => (
                <Message key={message.id} message={message} open={open === message.id} onToggle={() => toggle(message)} />
              ))}
            </ul>
          )}
        </Card>
        <Card title={t("notifications.preferences")}>
          <Preferences />
        </Card>
      </div>
    </>
  );
}
