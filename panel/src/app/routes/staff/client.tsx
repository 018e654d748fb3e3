// Item 2: a client's page, every service's view of the client side by side, and the actions staff may take.
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Card, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useClientAudit, useClientBilling, useClientMessages, useClientProfile, useClientProvisioning } from "@/features/staff/api";
import { ClientActions } from "@/features/staff/components/client-actions";
import { AuditCard, CreditCard, InvoicesTable, MessagesCard, PaymentsCard, ProfileCard, ServicesCard } from "@/features/staff/components/client-sections";
import { clientNumber, VerificationBadge } from "@/features/staff/components/labels";
import { TransferConfirm } from "@/features/staff/components/transfer-confirm";

export default function StaffClientRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const profile = useClientProfile(id);
  const messages = useClientMessages(id);
  const audit = useClientAudit(id);
  const billing = useClientBilling(id);
  const provisioning = useClientProvisioning(id);
  if (profile.isPending) return <Spinner />;
  if (profile.isError) return <ErrorNotice error={profile.error} />;
  const p = profile.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff">{t("console.nav.home")}</Link>
      </p>
      <PageHeader
        title={p.name}
        subtitle={
          <>
            {clientNumber(p.number)} · {p.email} <VerificationBadge status={p.verification} closed={!!p.closed_at} />
          </>
        }
      />
      <div className="staff-grid">
        <ProfileCard profile={p} />
        {billing.data && <CreditCard billing={billing.data} />}
      </div>
      {billing.isError && <ErrorNotice error={billing.error} />}
      {provisioning.isError && <ErrorNotice error={provisioning.error} />}
      {billing.data && provisioning.data ? <ServicesCard billing={billing.data} provisioning={provisioning.data} /> : <Spinner />}
      {billing.data && billing.data.transfer_reports.length > 0 && (
        <Card title={t("console.client.transfers")}>
          {billing.data.transfer_reports.map((item) => (
            <TransferConfirm key={item.report.id} item={item} />
          ))}
        </Card>
      )}
      {billing.data && (
        <Card title={t("console.client.invoices")}>
          <InvoicesTable invoices={billing.data.invoices} />
        </Card>
      )}
      {billing.data && <PaymentsCard billing={billing.data} />}
      {messages.data && <MessagesCard messages={messages.data} />}
      <ClientActions clientId={id} currency={billing.data?.currency ?? p.currency} closed={!!p.closed_at} />
      {billing.data && provisioning.data && audit.data && <AuditCard gateway={audit.data} billing={billing.data} provisioning={provisioning.data} />}
    </>
  );
}
