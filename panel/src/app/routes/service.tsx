import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Amount, Card, DefinitionList, ErrorNotice, PageHeader, Spinner, StatusBadge } from "@/components/ui";
import { useCatalog } from "@/features/order/api";
import { useBillingService, useProvisionedServices, useTransfers } from "@/features/services/api";
import { mergeServices } from "@/features/services/api/merge";
import { MigrationCard } from "@/features/migrations/components/migration-card";
import { AccessCard } from "@/features/services/components/access-card";
import { CancelCard, CycleCard, TransferCard, UpgradeCard } from "@/features/services/components/changes";
import { ServiceIncidents } from "@/features/status/components/service-incidents";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

export default function ServiceRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const billing = useBillingService(id);
  const provisioned = useProvisionedServices();
  const catalog = useCatalog();
  const transfers = useTransfers();
  if (billing.isPending) return <Spinner />;
  if (billing.isError) return <ErrorNotice error={billing.error} />;
  const [service] = mergeServices([billing.data], provisioned.data);
  if (!service) return null;
  const product = catalog.data?.find((p) => p.code === service.product_code);
  const targets = (product?.upgrade_to ?? []).map((code) => catalog.data?.find((p) => p.code === code)).filter((p) => p !== undefined);
  const live = service.state === "active" || service.state === "suspended";
  const changeable = service.state === "active" && !service.ends_on;
  const hosting = service.kind === "shared_hosting" || service.kind === "reseller_hosting" || service.kind === "hosting";
  return (
    <>
      <p>
        <Link to="/services">← {t("nav.services")}</Link>
      </p>
      <PageHeader title={service.product_name} subtitle={service.domain ?? undefined} actions={<StatusBadge kind="service" status={service.state} />} />
      {service.state === "suspended" && (
        <p className="notice notice-bad" role="status">
          {t("services.suspendedLead")} <Link to="/invoices?status=unpaid">{t("services.payNow")}</Link>
        </p>
      )}
      {service.state === "pending" && (
        <p className="notice notice-warn" role="status">
          {t("services.pendingLead")} <Link to="/invoices?status=unpaid">{t("services.payNow")}</Link>
        </p>
      )}
      <ServiceIncidents serviceId={service.id} />
      <div className="grid-2">
        <Card title={t("services.summary")}>
          <DefinitionList
            items={[
              [t("fields.cycle"), t(`cycle.${service.cycle}`, { defaultValue: service.cycle })],
              [t("services.price"), service.price ? <Amount value={service.price} /> : "—"],
              [service.ends_on ? t("services.ends") : t("services.nextDueLabel"), formatDate(service.ends_on ?? service.next_due_on, locale())],
              [t("services.autoRenew"), service.renew ? t("common.yes") : t("common.no")],
              [t("services.activatedAt"), formatDateTime(service.activatedAt, locale())],
            ]}
          />
        </Card>
        <AccessCard serviceId={service.id} available={live} />
      </div>
      {hosting && service.state === "active" && <MigrationCard serviceId={service.id} />}
      {changeable && (
        <div className="grid-2">
          <UpgradeCard service={service} targets={targets} />
          <CycleCard service={service} product={product} />
        </div>
      )}
      {(service.state === "active" || service.state === "pending" || service.state === "suspended") && (
        <div className="grid-2">
          <CancelCard service={service} />
          {service.state === "active" && <TransferCard service={service} pending={(transfers.data ?? []).filter((tr) => tr.service_id === service.id)} />}
        </div>
      )}
    </>
  );
}
