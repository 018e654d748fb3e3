import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Amount, Button, Card, EmptyState, ErrorNotice, Field, PageHeader, SelectField, Spinner, StatusBadge } from "@/components/ui";
import { useInvoices } from "@/features/invoices/api";
import { PayMany } from "@/features/invoices/components/pay-many";
import { PayManyResult } from "@/features/invoices/components/pay-many-result";
import { daysUntil, formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

const STATUSES = ["unpaid", "paid", "cancelled", "refunded", "waived"];

export default function InvoicesRoute() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const invoices = useInvoices();
  const status = params.get("status") ?? "";
  const year = params.get("year") ?? "";
  const query = (params.get("q") ?? "").trim().toLowerCase();
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const all = [...(invoices.data ?? [])].sort((a, b) => b.issued_at.localeCompare(a.issued_at));
  const years = [...new Set(all.map((i) => i.issued_at.slice(0, 4)))];
  const shown = all.filter(
    (i) =>
      (!status || i.status === status) &&
      (!year || i.issued_at.startsWith(year)) &&
      (!query || i.number.toLowerCase().includes(query) || i.payment_reference.toLowerCase().includes(query)),
  );
  const unpaid = all.filter((i) => i.status === "unpaid");
  const [selected, setSelected] = useState<string[]>([]);
  const [paying, setPaying] = useState(false);
  const chosen = unpaid.filter((i) => selected.includes(i.id));
  const toggle = (id: string) => setSelected(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  return (
    <>
      <PageHeader
        title={t("nav.invoices")}
        subtitle={unpaid.length ? t("invoices.unpaidCount", { count: unpaid.length }) : t("home.allPaid")}
        actions={<Link to="/autopay">{t("autopay.link")}</Link>}
      />
      {params.get("batch") && <PayManyResult batchId={params.get("batch") ?? ""} params={params} />}
      {paying && chosen.length > 0 && (
        <PayMany
          invoices={chosen}
          onDone={() => {
            setPaying(false);
            setSelected([]);
          }}
        />
      )}
      {unpaid.length > 1 && !paying && (
        <div className="inline-actions">
          <Button disabled={chosen.length < 2} onClick={() => setPaying(true)}>
            {t("payMany.cta", { count: chosen.length })}
          </Button>
          <span className="muted">{t("payMany.hint")}</span>
        </div>
      )}
      <Card>
        <div className="filters">
          <SelectField label={t("invoices.status")} value={status} onChange={(e) => set("status", e.target.value)}>
            <option value="">{t("common.all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.invoice.${s}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t("invoices.year")} value={year} onChange={(e) => set("year", e.target.value)}>
            <option value="">{t("common.all")}</option>
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </SelectField>
          <Field label={t("invoices.search")} type="search" value={params.get("q") ?? ""} onChange={(e) => set("q", e.target.value)} />
        </div>
        {invoices.isPending ? (
          <Spinner />
        ) : invoices.isError ? (
          <ErrorNotice error={invoices.error} />
        ) : shown.length === 0 ? (
          <EmptyState title={all.length ? t("invoices.noneMatch") : t("invoices.none")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">{t("payMany.select")}</span>
                </th>
                <th scope="col">{t("invoices.invoice")}</th>
                <th scope="col">{t("invoices.issued")}</th>
                <th scope="col">{t("invoices.due")}</th>
                <th scope="col">{t("invoices.status")}</th>
                <th scope="col" className="num">
                  {t("order.total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((invoice) => (
                <tr key={invoice.id} data-testid="invoice-row">
                  <td className="select-cell">
                    {invoice.status === "unpaid" && (
                      <input
                        type="checkbox"
                        aria-label={t("payMany.selectOne", { number: invoice.number })}
                        checked={selected.includes(invoice.id)}
                        onChange={() => toggle(invoice.id)}
                      />
                    )}
                  </td>
                  <td>
                    <Link to={`/invoices/${invoice.id}`} className="row-title">
                      {invoice.number}
                    </Link>
                    <div className="row-sub">{t(`invoices.kind.${invoice.kind}`, { defaultValue: invoice.kind })}</div>
                  </td>
                  <td data-label={t("invoices.issued")}>{formatDate(invoice.issued_at, locale())}</td>
                  <td data-label={t("invoices.due")} className={invoice.status === "unpaid" && daysUntil(invoice.due_on) < 0 ? "text-bad" : ""}>
                    {formatDate(invoice.due_on, locale())}
                  </td>
                  <td>
                    <StatusBadge kind="invoice" status={invoice.status} />
                  </td>
                  <td className="num">
                    <Amount value={invoice.total_due} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
