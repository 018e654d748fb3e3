import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useCredit } from "@/features/credit/api";
import { useInvoices } from "@/features/invoices/api";
import { useBillingServices } from "@/features/services/api";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

export default function CreditRoute() {
  const { t } = useTranslation();
  const credit = useCredit();
  const invoices = useInvoices();
  const services = useBillingServices();
  const balances = credit.data?.balances ?? [];
  const used = (invoices.data ?? []).filter((i) => i.credit_applied.amount_minor > 0);
  const sla = credit.data?.sla_credits ?? [];
  // S-4: uptime credits granted without asking come in; credit applied to invoices goes out; newest first.
  const movements = [
    ...used.map((invoice) => ({ at: invoice.issued_at, invoice, sla: null })),
    ...sla.map((c) => ({ at: c.created_at, invoice: null, sla: c })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  const productOf = (id: string) => services.data?.find((s) => s.id === id)?.product_name ?? "";
  const monthOf = (month: string) =>
    new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}T00:00:00Z`));
  return (
    <>
      <PageHeader title={t("nav.credit")} subtitle={t("credit.lead")} />
      <Card title={t("credit.balance")}>
        {credit.isPending ? (
          <Spinner />
        ) : credit.isError ? (
          <ErrorNotice error={credit.error} />
        ) : balances.every((b) => b.amount_minor === 0) ? (
          <EmptyState title={t("credit.none")} />
        ) : (
          <div className="stats">
            {balances
              .filter((b) => b.amount_minor !== 0)
              .map((b) => (
                <div className="stat stat-credit" key={b.currency}>
                  <span className="stat-value" data-testid="credit-balance">
                    <Amount value={b} />
                  </span>
                  <span className="stat-label">{b.currency}</span>
                </div>
              ))}
          </div>
        )}
        <p className="summary-note">{t("credit.how")}</p>
      </Card>
      <Card title={t("credit.movements")}>
        {invoices.isPending || credit.isPending ? (
          <Spinner />
        ) : movements.length === 0 ? (
          <EmptyState title={t("credit.noMovements")} />
        ) : (
          <ul className="rows">
            {movements.map(({ invoice, sla: c }) =>
              invoice ? (
                <li className="row" key={invoice.id}>
                  <div>
                    <Link className="row-title" to={`/invoices/${invoice.id}`}>
                      {t("credit.usedOn", { number: invoice.number })}
                    </Link>
                    <span className="row-sub">{formatDate(invoice.issued_at, locale())}</span>
                  </div>
                  <span className="amount text-bad">
                    −<Amount value={invoice.credit_applied} />
                  </span>
                </li>
              ) : c ? (
                <li className="row" key={`${c.service_id}-${c.month}`} data-testid="sla-credit">
                  <div>
                    <Link className="row-title" to={`/services/${c.service_id}`}>
                      {t("credit.slaCredit", { service: productOf(c.service_id), month: monthOf(c.month), percent: c.credit_percent })}
                    </Link>
                    <span className="row-sub">
                      {formatDate(c.created_at, locale())} · {t("credit.slaWhy")}
                    </span>
                  </div>
                  <span className="amount">
                    +<Amount value={c.amount} />
                  </span>
                </li>
              ) : null,
            )}
          </ul>
        )}
      </Card>
    </>
  );
}
