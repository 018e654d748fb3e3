// Item 3: transfers to confirm (B-19), the invoice list with filters and CSV, coupons (B-12) and the catalog
// (C-1..C-4): admins change them, staff read them.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { downloadInvoicesCsv, useProducts, useStaffInvoices, useWaitingTransfers, type InvoiceFilters } from "@/features/staff/api";
import { CatalogEditor } from "@/features/staff/components/catalog-editor";
import { CatalogHistory } from "@/features/staff/components/catalog-history";
import { InvoicesTable } from "@/features/staff/components/client-sections";
import { CouponsCard } from "@/features/staff/components/coupons-card";
import { TransferConfirm } from "@/features/staff/components/transfer-confirm";
import { formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

const STATUSES = ["unpaid", "paid", "cancelled", "refunded", "waived"] as const;
const CURRENCIES = ["USD", "ARS", "UYU", "CLP", "COP", "PEN"];
const METHODS = ["transfer", "stripe", "mercadopago", "waived"];
const FILTERS = ["q", "status", "currency", "method", "due_from", "due_to"] as const;

function InvoiceList() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filters: InvoiceFilters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ""]).filter(([, v]) => v));
  const invoices = useStaffInvoices(filters);
  const [exportError, setExportError] = useState<unknown>(null);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <Card
      title={t("console.billing.invoices")}
      actions={
        <Button variant="secondary" className="btn-small" onClick={() => void downloadInvoicesCsv(filters).catch(setExportError)}>
          {t("console.billing.csv")}
        </Button>
      }
    >
      <div className="filters">
        <Field label={t("console.billing.q")} type="search" maxLength={100} value={params.get("q") ?? ""} onChange={(e) => set("q", e.target.value)} />
        <SelectField label={t("console.invoice.status")} value={params.get("status") ?? ""} onChange={(e) => set("status", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.invoice.${s}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("console.billing.currency")} value={params.get("currency") ?? ""} onChange={(e) => set("currency", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </SelectField>
        <SelectField label={t("console.billing.method")} value={params.get("method") ?? ""} onChange={(e) => set("method", e.target.value)}>
          <option value="">{t("common.all")}</option>
          {METHODS.map((m) => (
            <option key={m} value={m}>
              {t(`console.billing.methods.${m}`)}
            </option>
          ))}
        </SelectField>
        <Field label={t("console.billing.dueFrom")} type="date" value={params.get("due_from") ?? ""} onChange={(e) => set("due_from", e.target.value)} />
        <Field label={t("console.billing.dueTo")} type="date" value={params.get("due_to") ?? ""} onChange={(e) => set("due_to", e.target.value)} />
      </div>
      <ErrorNotice error={exportError} />
      {invoices.isPending ? <Spinner /> : invoices.isError ? <ErrorNotice error={invoices.error} /> : <InvoicesTable invoices={invoices.data} />}
    </Card>
  );
}

function Catalog({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const products = useProducts();
  return (
    <Card title={t("console.billing.catalog")}>
      {products.isPending ? (
        <Spinner />
      ) : products.isError ? (
        <ErrorNotice error={products.error} />
      ) : (
        <details className="catalog-details">
          <summary>{t("console.billing.showCatalog", { count: products.data.length })}</summary>
        <table className="table">
          <thead>
            <tr>
              <th>{t("console.billing.product")}</th>
              <th>{t("console.billing.prices")}</th>
              <th>{t("console.billing.upgrades")}</th>
            </tr>
          </thead>
          <tbody>
            {products.data.map((p) => (
              <tr key={p.id} className={p.active ? "" : "muted"}>
                <td>
                  <strong>{p.name}</strong>
                  <br />
                  <code>{p.code}</code> · {t(`kind.${p.kind}`, { defaultValue: p.kind })}
                  {!p.active && ` · ${t("console.billing.withdrawn")}`}
                  {p.provisioning_problem && (
                    <p className="notice notice-warn" role="note">
                      {t("console.billing.notProvisionable")} <code>{p.provisioning_problem}</code>
                    </p>
                  )}
                </td>
                <td data-label={t("console.billing.prices")}>
                  {p.prices.map((price) => (
                    <span key={`${price.cycle}-${price.currency}`} className="price-chip">
                      {t(`cycle.${price.cycle}`)} {formatMoney({ amount_minor: price.amount_minor, currency: price.currency }, locale())}
                    </span>
                  ))}
                </td>
                <td data-label={t("console.billing.upgrades")}>{p.upgrade_to.length ? p.upgrade_to.join(", ") : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </details>
      )}
      {editable && products.data && <CatalogEditor products={products.data} />}
    </Card>
  );
}

export default function StaffBillingRoute() {
  const { t } = useTranslation();
  const waiting = useWaitingTransfers();
  const editable = useMe().data?.role === "admin"; // staff read coupons and the catalog; admins change them
  return (
    <>
      <PageHeader title={t("console.billing.title")} subtitle={t("console.billing.lead")} />
      <Card title={t("console.billing.waiting")}>
        {waiting.isPending ? (
          <Spinner />
        ) : waiting.isError ? (
          <ErrorNotice error={waiting.error} />
        ) : waiting.data.length === 0 ? (
          <EmptyState title={t("console.billing.noneWaiting")} />
        ) : (
          waiting.data.map((item) => <TransferConfirm key={item.report.id} item={item} showClient />)
        )}
      </Card>
      <InvoiceList />
      {!editable && <Notice tone="info">{t("console.catalog.readOnly")}</Notice>}
      <CouponsCard editable={editable} />
      <Catalog editable={editable} />
      <Card title={t("console.catalog.history.title")}>
        <CatalogHistory />
      </Card>
    </>
  );
}
