import { useTranslation } from "react-i18next";

import { EmptyState, ErrorNotice, Spinner } from "@/components/ui";
import { useSettingsHistory } from "@/features/settings/api";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

/** What changed: who, when, which group, the values before and after (billing's audit log). */
export function SettingsHistory() {
  const { t } = useTranslation();
  const history = useSettingsHistory();
  if (history.isPending) return <Spinner />;
  if (history.isError) return <ErrorNotice error={history.error} />;
  if (history.data.length === 0) return <EmptyState title={t("staffSettings.history.none")} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{t("staffSettings.history.when")}</th>
          <th scope="col">{t("staffSettings.history.who")}</th>
          <th scope="col">{t("staffSettings.history.what")}</th>
          <th scope="col">{t("staffSettings.history.change")}</th>
        </tr>
      </thead>
      <tbody>
        {history.data.map((change) => (
          <tr key={`${change.at}-${change.key}`}>
            <td data-label={t("staffSettings.history.when")}>{formatDateTime(change.at, locale())}</td>
            <td data-label={t("staffSettings.history.who")}>{change.actor_email ?? change.actor_id}</td>
            <td data-label={t("staffSettings.history.what")}>
              {t(`staffSettings.groups.${change.key}`, { defaultValue: change.key })}
              {change.action === "business_setting_reset" && ` (${t("staffSettings.history.reset")})`}
            </td>
            <td data-label={t("staffSettings.history.change")}>
              <Diff before={change.before} after={change.after} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Diff({ before, after }: { before: Record<string, unknown>; after: Record<string, unknown> }) {
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return (
    <ul className="diff">
      {keys.map((k) => (
        <li key={k}>
          <code>{k}</code>: <del>{short(before[k])}</del> → <ins>{short(after[k])}</ins>
        </li>
      ))}
    </ul>
  );
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? "—";
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
