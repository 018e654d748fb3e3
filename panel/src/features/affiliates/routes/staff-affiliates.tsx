// The affiliate program in the staff console (issue 18): what waits for staff first (held attributions, bank
// withdrawals to check and to pay), then every affiliate with its figures and balances.
import "../affiliates.css";

import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useHeldAttributions, useStaffAffiliates, useStaffWithdrawals } from "@/features/affiliates/api/staff";
import { HeldAttribution, WithdrawalRequest } from "@/features/affiliates/components/staff-decisions";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

function Withdrawals({ status }: { status: "requested" | "approved" }) {
  const { t } = useTranslation();
  const rows = useStaffWithdrawals(status);
  return (
    <Card title={t(`affiliates.staff.withdrawals.${status}`)}>
      {rows.isPending ? (
        <Spinner />
      ) : rows.isError ? (
        <ErrorNotice error={rows.error} />
      ) : rows.data.length === 0 ? (
        <EmptyState title={t("affiliates.staff.noWithdrawals")} />
      ) : (
        <ul className="plain-list">
          {rows.data.map((w) => (
            <WithdrawalRequest key={w.id} item={w} />
          ))}
        </ul>
      )}
    </Card>
  );
}

export default function StaffAffiliatesRoute() {
  const { t } = useTranslation();
  const held = useHeldAttributions();
  const affiliates = useStaffAffiliates();
  return (
    <>
      <PageHeader title={t("affiliates.staff.title")} subtitle={t("affiliates.staff.lead")} />
      <Card title={t("affiliates.staff.held")}>
        {held.isPending ? (
          <Spinner />
        ) : held.isError ? (
          <ErrorNotice error={held.error} />
        ) : held.data.length === 0 ? (
          <EmptyState title={t("affiliates.staff.noHeld")} />
        ) : (
          <ul className="plain-list">
            {held.data.map((a) => (
              <HeldAttribution key={a.client_id} item={a} />
            ))}
          </ul>
        )}
      </Card>
      <div className="grid-2">
        <Withdrawals status="requested" />
        <Withdrawals status="approved" />
      </div>
      <Card title={t("affiliates.staff.affiliates")}>
        {affiliates.isPending ? (
          <Spinner />
        ) : affiliates.isError ? (
          <ErrorNotice error={affiliates.error} />
        ) : affiliates.data.length === 0 ? (
          <EmptyState title={t("affiliates.staff.noAffiliates")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("affiliates.staff.code")}</th>
                <th scope="col">{t("affiliates.staff.since")}</th>
                <th scope="col" className="num">{t("affiliates.visits")}</th>
                <th scope="col" className="num">{t("affiliates.signups")}</th>
                <th scope="col" className="num">{t("affiliates.held")}</th>
                <th scope="col" className="num">{t("affiliates.conversions")}</th>
                <th scope="col">{t("affiliates.balances")}</th>
              </tr>
            </thead>
            <tbody>
              {affiliates.data.map((a) => (
                <tr key={a.client_id} data-testid="staff-affiliate">
                  <td>
                    <Link to={`/staff/affiliates/${a.client_id}`}>
                      <code>{a.code}</code>
                    </Link>
                  </td>
                  <td data-label={t("affiliates.staff.since")}>{formatDate(a.activated_at, locale())}</td>
                  <td className="num" data-label={t("affiliates.visits")}>{a.visits}</td>
                  <td className="num" data-label={t("affiliates.signups")}>{a.signups}</td>
                  <td className="num" data-label={t("affiliates.held")}>{a.held}</td>
                  <td className="num" data-label={t("affiliates.conversions")}>{a.conversions}</td>
                  <td data-label={t("affiliates.balances")}>
                    {a.balances.length === 0
                      ? "—"
                      : a.balances.map((b) => (
                          <span key={b.currency} className="price-chip">
                            {t("affiliates.pending")} <Amount value={b.pending} /> · {t("affiliates.available")} <Amount value={b.available} />
                          </span>
                        ))}
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
