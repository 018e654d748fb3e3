// One affiliate in the staff console (issue 18): who (the client's page), figures and balances, its sign-ups with
// their state, the ledger with maturity dates, its withdrawals (with the bank details to pay them) and staff's
// decisions (the audit trail).
import "../affiliates.css";

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Amount, Card, DefinitionList, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useStaffAffiliate } from "@/features/affiliates/api/staff";
import { HeldAttribution, WithdrawalRequest } from "@/features/affiliates/components/staff-decisions";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

export default function StaffAffiliateRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const detail = useStaffAffiliate(id);
  if (detail.isPending) return <Spinner />;
  if (detail.isError) return <ErrorNotice error={detail.error} />;
  const { affiliate, attributions, ledger, withdrawals, audit } = detail.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff/affiliates">{t("affiliates.staff.title")}</Link>
      </p>
      <PageHeader title={t("affiliates.staff.one", { code: affiliate.code })} subtitle={<Link to={`/staff/clients/${affiliate.client_id}`}>{t("affiliates.staff.clientPage")}</Link>} />
      <div className="grid-2">
        <Card title={t("affiliates.staff.figures")}>
          <DefinitionList
            items={[
              [t("affiliates.staff.since"), formatDate(affiliate.activated_at, locale())],
              [t("affiliates.visits"), affiliate.visits],
              [t("affiliates.signups"), affiliate.signups],
              [t("affiliates.held"), affiliate.held],
              [t("affiliates.conversions"), affiliate.conversions],
            ]}
          />
        </Card>
        <Card title={t("affiliates.staff.balance")}>
          {affiliate.balances.length === 0 ? (
            <EmptyState title={t("affiliates.noBalance")} />
          ) : (
            <DefinitionList items={affiliate.balances.map((b): [string, ReactNode] => [b.currency, <>{t("affiliates.pending")} <Amount value={b.pending} /> · {t("affiliates.available")} <Amount value={b.available} /></>])} />
          )}
        </Card>
      </div>
      <Card title={t("affiliates.staff.signups")}>
        {attributions.length === 0 ? (
          <EmptyState title={t("affiliates.noReferrals")} />
        ) : (
          <ul className="plain-list">
            {attributions.map((a) =>
              a.status === "held" ? (
                <HeldAttribution key={a.client_id} item={a} />
              ) : (
                <li key={a.client_id} data-testid="attribution">
                  <Link to={`/staff/clients/${a.client_id}`}>{a.client_id.slice(0, 8)}</Link> · {formatDate(a.signed_up_at, locale())} ·{" "}
                  {t(`affiliates.attribution.${a.status}`, { defaultValue: a.status })}
                  {a.reason && <span className="muted"> · {a.reason}</span>}
                </li>
              ),
            )}
          </ul>
        )}
      </Card>
      <Card title={t("affiliates.staff.withdrawalList")}>
        {withdrawals.length === 0 ? (
          <EmptyState title={t("affiliates.noWithdrawals")} />
        ) : (
          <ul className="plain-list">
            {withdrawals.map((w) => (
              <WithdrawalRequest key={w.id} item={w} showAffiliate={false} />
            ))}
          </ul>
        )}
      </Card>
      <Card title={t("affiliates.ledger")}>
        {ledger.length === 0 ? (
          <EmptyState title={t("affiliates.noLedger")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("affiliates.date")}</th>
                <th scope="col">{t("affiliates.concept")}</th>
                <th scope="col" className="num">{t("affiliates.amount")}</th>
                <th scope="col">{t("affiliates.maturesOn")}</th>
              </tr>
            </thead>
            <tbody>
              {ledger.map((e) => (
                <tr key={e.id} data-testid="staff-ledger-row">
                  <td>{formatDate(e.created_at, locale())}</td>
                  <td data-label={t("affiliates.concept")}>
                    {t(`affiliates.entry.${e.entry_type}`, { defaultValue: e.entry_type })}
                    {e.note && <span className="muted"> · {e.note}</span>}
                  </td>
                  <td className="num" data-label={t("affiliates.amount")}>{formatMoney(e.amount, locale())}</td>
                  <td data-label={t("affiliates.maturesOn")}>{e.matures_at ? formatDate(e.matures_at, locale()) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title={t("affiliates.staff.audit")}>
        {audit.length === 0 ? (
          <EmptyState title={t("affiliates.staff.noAudit")} />
        ) : (
          <ul className="plain-list">
            {audit.map((a) => (
              <li key={a.id} data-testid="affiliate-audit">
                {formatDateTime(a.at, locale())} · {t(`affiliates.staff.actions.${a.action}`, { defaultValue: a.action })}
                {a.details.reason && ` · ${a.details.reason}`}
                {a.details.transfer_reference && ` · ${a.details.transfer_reference}`}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
