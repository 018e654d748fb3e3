// Who changed the catalog or a coupon, when, and from what to what (billing's audit log, issue 14 item 3).
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import { EmptyState, ErrorNotice, Spinner } from "@/components/ui";
import { useCatalogHistory, type CatalogChange } from "@/features/staff/api/catalog";
import type { Money } from "@/lib/api/client";
import { formatDateTime, formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

type PriceValue = { cycle: string; currency: string; amount_minor: number };

function isPrice(v: unknown): v is PriceValue {
  return typeof v === "object" && v !== null && "amount_minor" in v && "currency" in v;
}

function money(amountMinor: number, currency: string): string {
  return formatMoney({ amount_minor: amountMinor, currency: currency as Money["currency"] }, locale());
}

/** A value of the audit log as a person reads it: prices as money (a domain's three prices too, named), lists
 * joined, empty fields left out. */
function shown(t: TFunction, value: unknown, currency?: string | null): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" && currency) return money(value, currency);
  if (typeof value !== "object") return String(value);
  const item = (v: unknown): string =>
    isPrice(v)
      ? `${t(`cycle.${v.cycle}`, { defaultValue: v.cycle })} ${money(v.amount_minor, v.currency)}`
      : typeof v === "number" && currency
        ? money(v, currency)
        : typeof v === "object" && v !== null
          ? JSON.stringify(v)
          : String(v);
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${t(`console.catalog.history.fields.${k}`, { defaultValue: k })}: ${Array.isArray(v) ? v.map(item).join(", ") || "—" : item(v)}`)
    .join("; ");
}

function what(t: TFunction, change: CatalogChange): string {
  const action = t(`console.catalog.history.actions.${change.action}`, { defaultValue: change.action });
  const price = change.cycle && change.currency ? ` ${t(`cycle.${change.cycle}`)} ${change.currency}` : "";
  return `${action}${price} · ${change.code}`;
}

export function CatalogHistory() {
  const { t } = useTranslation();
  const history = useCatalogHistory();
  if (history.isPending) return <Spinner />;
  if (history.isError) return <ErrorNotice error={history.error} />;
  if (history.data.length === 0) return <EmptyState title={t("console.catalog.history.none")} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t("console.catalog.history.when")}</th>
          <th>{t("console.catalog.history.who")}</th>
          <th>{t("console.catalog.history.what")}</th>
          <th>{t("console.catalog.history.change")}</th>
        </tr>
      </thead>
      <tbody>
        {history.data.map((change, index) => (
          <tr key={`${change.at}-${index}`}>
            <td>{formatDateTime(change.at, locale())}</td>
            <td data-label={t("console.catalog.history.who")}>{change.actor_email ?? change.actor_id.slice(0, 8)}</td>
            <td data-label={t("console.catalog.history.what")}>{what(t, change)}</td>
            <td data-label={t("console.catalog.history.change")}>
              {shown(t, change.before, change.currency)} → {shown(t, change.after, change.currency)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
