import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useCredit } from "@/features/credit/api";
import { useInvoices } from "@/features/invoices/api";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

export default function CreditRoute() {
  const { t } = useTranslation();
  const credit = useCredit();
  const invoices = useInvoices();
  const balances = credit.data?.balances ?? [];
  const used = (invoices.data ?? [])
    .filter((i) => i.credit_applied.amount_minor > 0)
    .sort((a, b) => b.issued_at.localeCompare(a.issued_at));
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
        {invoices.isPending ? (
          <Spinner />
        ) : used.length === 0 ? (
          <EmptyState title={t("credit.noMovements")} />
        ) : (
          <ul className="rows">
            {used.map((invoice) => (
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
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
