import { useTranslation } from "react-i18next";

import { Amount, Card, CopyButton, DefinitionList, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useReferrals } from "@/features/referrals/api";

export default function ReferralsRoute() {
  const { t } = useTranslation();
  const referrals = useReferrals();
  if (referrals.isPending) return <Spinner />;
  if (referrals.isError) return <ErrorNotice error={referrals.error} />;
  const data = referrals.data;
  const link = `${window.location.origin}/sign-up?ref=${encodeURIComponent(data.referral_code)}`;
  const earned = data.credit_earned.filter((m) => m.amount_minor > 0);
  return (
    <>
      <PageHeader title={t("nav.referrals")} subtitle={t("referrals.lead")} />
      <Card title={t("referrals.yourLink")}>
        <div className="referral-link">
          <code data-testid="referral-link">{link}</code>
          <CopyButton value={link} label={t("referrals.yourLink")} />
        </div>
        <p className="summary-note">{t("referrals.how")}</p>
      </Card>
      <Card title={t("referrals.results")}>
        <DefinitionList
          items={[
            [t("referrals.code"), <span className="secret" key="c">{data.referral_code}</span>],
            [t("referrals.referred"), String(data.referred)],
            [t("referrals.rewarded"), String(data.rewarded)],
            [t("referrals.earned"), earned.length ? earned.map((m) => <Amount key={m.currency} value={m} />) : "—"],
          ]}
        />
      </Card>
    </>
  );
}
