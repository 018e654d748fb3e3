// What the status console's incident and maintenance cards share: the server picker of their forms, and the status
// page's list they show (a spinner while it loads, its error, or an empty state).
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { EmptyState, ErrorNotice, SelectField, Spinner } from "@/components/ui";

import { useStatusPage, type StatusPage } from "../api";
import type { StaffServer } from "../api/console";

export function ServerSelect({ servers, value, onChange }: { servers: StaffServer[]; value: string; onChange: (server: string) => void }) {
  const { t } = useTranslation();
  return (
    <SelectField label={t("status_console.server")} required value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t("status_console.choose")}</option>
      {servers.map((s) => (
        <option key={s.name} value={s.name}>
          {s.label} ({s.name})
        </option>
      ))}
    </SelectField>
  );
}

export function StatusPageItems<T>({ pick, empty, children }: { pick: (page: StatusPage) => T[]; empty: string; children: (items: T[]) => ReactNode }) {
  const page = useStatusPage();
  if (page.isPending) return <Spinner />;
  if (page.isError) return <ErrorNotice error={page.error} />;
  const items = pick(page.data);
  return items.length === 0 ? <EmptyState title={empty} /> : children(items);
}
