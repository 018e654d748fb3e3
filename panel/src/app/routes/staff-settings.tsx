// Staff console: business settings (issue 14 item 5), lazy-loaded. Admins change them; staff read them; a client is
// sent home (the API answers it 403 anyway).
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";

import { Card, ErrorNotice, Notice, PageHeader, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { useBusinessSettings } from "@/features/settings/api";
import { DiscountsForm } from "@/features/settings/components/discounts-form";
import { DunningForm } from "@/features/settings/components/dunning-form";
import { PaymentsForm } from "@/features/settings/components/payments-form";
import { HolidaysCard } from "@/features/settings/components/holidays-card";
import { SecurityCard } from "@/features/settings/components/security-card";
import { TemplatesCard } from "@/features/settings/components/templates-card";
import { SettingsHistory } from "@/features/settings/components/history";
import { SellerForm } from "@/features/settings/components/seller-form";
import { TransfersForm } from "@/features/settings/components/transfers-form";

export default function StaffSettingsRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const role = me.data?.role;
  const settings = useBusinessSettings();
  if (me.isPending) return <Spinner />;
  if (role !== "staff" && role !== "admin") return <Navigate to="/" replace />;
  const editable = role === "admin";
  const source = (s: { source: string }) => t(`staffSettings.source.${s.source}`);
  return (
    <>
      <PageHeader title={t("staffSettings.title")} subtitle={t("staffSettings.lead")} />
      {!editable && <Notice tone="info">{t("staffSettings.readOnly")}</Notice>}
      {settings.isPending ? (
        <Spinner />
      ) : settings.isError ? (
        <ErrorNotice error={settings.error} />
      ) : (
        <>
          <Card title={t("staffSettings.groups.dunning")} actions={<span className="badge badge-muted">{source(settings.data.dunning)}</span>}>
            <DunningForm value={settings.data.dunning.value} editable={editable} />
          </Card>
          <Card title={t("staffSettings.groups.discounts")} actions={<span className="badge badge-muted">{source(settings.data.discounts)}</span>}>
            <DiscountsForm value={settings.data.discounts.value} editable={editable} />
          </Card>
          <Card title={t("staffSettings.groups.payments")} actions={<span className="badge badge-muted">{source(settings.data.payments)}</span>}>
            <PaymentsForm value={settings.data.payments.value} editable={editable} />
          </Card>
          <Card title={t("staffSettings.groups.transfers")} actions={<span className="badge badge-muted">{source(settings.data.transfers)}</span>}>
            <TransfersForm value={settings.data.transfers.value.transfer_instructions} editable={editable} />
          </Card>
          <Card title={t("staffSettings.groups.seller")} actions={<span className="badge badge-muted">{source(settings.data.seller)}</span>}>
            <SellerForm value={settings.data.seller.value} editable={editable} />
          </Card>
        </>
      )}
      <Card title={t("staffSettings.groups.holidays")}>
        <HolidaysCard editable={editable} />
      </Card>
      <Card title={t("staffSettings.groups.templates")}>
        <TemplatesCard editable={editable} />
      </Card>
      <Card title={t("staffSettings.groups.security")}>
        <SecurityCard editable={editable} />
      </Card>
      <Card title={t("staffSettings.history.title")}>
        <SettingsHistory />
      </Card>
    </>
  );
}
