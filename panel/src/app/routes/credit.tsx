import { useTranslation } from "react-i18next";

import { Amount, Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useCredit } from "@/features/credit/api";
import { CreditMovements } from "@/features/credit/components/movements";
import { useBillingServices } from "@/features/services/api";

export default function CreditRoute() {
  const { t } = useTranslation();
  const credit = useCredit();
  const services = useBillingServices();
  const balances = credit.data?.balances ?? [];
  const productOf = (id: string) => services.data?.find((s) => s.id === id)?.product_name ?? "";
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
        <CreditMovements slaCredits={credit.data?.sla_credits ?? []} productOf={productOf} />
      </Card>
    </>
  );
}
