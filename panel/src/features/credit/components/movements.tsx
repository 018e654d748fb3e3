import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Button, EmptyState, ErrorNotice, Spinner } from "@/components/ui";
import type { components } from "@/lib/api/schema";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useCreditMovements } from "../api";

type SlaCredit = components["schemas"]["billing.SlaCreditPublic"];
type Movement = components["schemas"]["billing.CreditMovementPublic"];

/** The S-4 credit a ledger entry of kind `sla` is: the same instant and amount (both written by one event). */
function slaOf(movement: Movement, credits: SlaCredit[]): SlaCredit | undefined {
  if (movement.kind !== "sla") return undefined;
  const at = Date.parse(movement.at);
  return credits.find((c) => Date.parse(c.created_at) === at && c.amount.amount_minor === movement.amount.amount_minor);
}

function monthOf(month: string): string {
  return new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}T00:00:00Z`));
}

/** Every movement of the balance (B-10): what added to it and what used it, newest first, with its invoice; an
 * uptime credit (S-4) names its service and month. */
export function CreditMovements({ slaCredits, productOf }: { slaCredits: SlaCredit[]; productOf: (serviceId: string) => string }) {
  const { t } = useTranslation();
  const movements = useCreditMovements();
  // Read before the guards: a failed "earlier page" keeps the pages already shown (the query is then in error).
  const pageError = movements.isFetchNextPageError ? movements.error : null;
  if (movements.isPending) return <Spinner />;
  if (movements.isError && !pageError) return <ErrorNotice error={movements.error} />;
  const items = (movements.data?.pages ?? []).flatMap((page) => page.items);
  if (items.length === 0) return <EmptyState title={t("credit.noMovements")} />;
  return (
    <>
      <ul className="rows">
        {items.map((movement) => {
          const sla = slaOf(movement, slaCredits);
          return (
            <li className="row" key={movement.id} data-testid={sla ? "sla-credit" : "credit-movement"} data-kind={movement.kind}>
              <div>
                {sla ? (
                  <Link className="row-title" to={`/services/${sla.service_id}`}>
                    {t("credit.slaCredit", { service: productOf(sla.service_id), month: monthOf(sla.month), percent: sla.credit_percent })}
                  </Link>
                ) : (
                  <span className="row-title">{t(`credit.kinds.${movement.kind}`)}</span>
                )}
                <span className="row-sub">
                  {formatDate(movement.at, locale())}
                  {sla && ` · ${t("credit.slaWhy")}`}
                  {movement.invoice_id && movement.invoice_number && (
                    <>
                      {" · "}
                      <Link to={`/invoices/${movement.invoice_id}`}>{t("credit.invoice", { number: movement.invoice_number })}</Link>
                    </>
                  )}
                </span>
              </div>
              {movement.amount.amount_minor < 0 ? (
                <span className="amount text-bad">
                  −<Amount value={{ ...movement.amount, amount_minor: -movement.amount.amount_minor }} />
                </span>
              ) : (
                <span className="amount text-ok">
                  +<Amount value={movement.amount} />
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <ErrorNotice error={pageError} />
      {movements.hasNextPage && (
        <div className="inline-actions">
          <Button variant="secondary" className="btn-small" busy={movements.isFetchingNextPage} onClick={() => void movements.fetchNextPage()}>
            {t("credit.more")}
          </Button>
        </div>
      )}
    </>
  );
}
