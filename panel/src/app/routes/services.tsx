import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Amount, Button, Card, EmptyState, ErrorNotice, Notice, PageHeader, Spinner, StatusBadge } from "@/components/ui";
import { useAcceptTransfer, useBillingServices, useProvisionedServices, useTransfers } from "@/features/services/api";
import { mergeServices } from "@/features/services/api/merge";
import { IncidentBadge } from "@/features/status/components/service-incidents";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

const FILTERS = ["", "active", "pending", "suspended", "cancelled", "terminated"];

export default function ServicesRoute() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const billing = useBillingServices();
  const provisioned = useProvisionedServices();
  const transfers = useTransfers();
  const accept = useAcceptTransfer();
  const state = params.get("state") ?? "";
  const services = billing.data ? mergeServices(billing.data, provisioned.data) : [];
  const shown = services.filter((s) => !state || s.state === state);
  const incoming = (transfers.data ?? []).filter((tr) => tr.direction === "incoming" && tr.status === "pending");
  return (
    <>
      <PageHeader
        title={t("nav.services")}
        actions={
          <Link to="/order" className="btn btn-primary">
            {t("home.orderCta")}
          </Link>
        }
      />
      {incoming.map((transfer) => (
        <Notice key={transfer.id} tone="info" title={t("services.incomingTitle")}>
          <p>
            {t("services.incomingLead", {
              from: transfer.from_email ?? "—",
              product: transfer.product_name,
              domain: transfer.domain ?? "",
              date: formatDate(transfer.expires_at, locale()),
            })}
          </p>
          <div className="inline-actions">
            <Button className="btn-small" busy={accept.isPending} onClick={() => accept.mutate(transfer.id)}>
              {t("services.accept")}
            </Button>
          </div>
          <ErrorNotice error={accept.error} />
        </Notice>
      ))}
      <div className="tabs" role="group" aria-label={t("services.filter")}>
        {FILTERS.map((f) => (
          <button key={f} type="button" className="tab" aria-pressed={f === state} onClick={() => setParams(f ? { state: f } : {}, { replace: true })}>
            {f ? t(`status.service.${f}`) : t("common.all")}
          </button>
        ))}
      </div>
      <Card>
        {billing.isPending ? (
          <Spinner />
        ) : billing.isError ? (
          <ErrorNotice error={billing.error} />
        ) : shown.length === 0 ? (
          <EmptyState title={services.length ? t("services.noneMatch") : t("services.none")}>
            <Link to="/order" className="btn btn-secondary btn-small">
              {t("home.orderCta")}
            </Link>
          </EmptyState>
        ) : (
          <ul className="rows">
            {shown.map((service) => (
              <li key={service.id} className="row" data-testid="service-row">
                <div>
                  <Link to={`/services/${service.id}`} className="row-title">
                    {service.product_name}
                  </Link>
                  <span className="row-sub">
                    {[service.domain, t(`cycle.${service.cycle}`, { defaultValue: service.cycle }), service.ends_on ? t("services.endsOn", { date: formatDate(service.ends_on, locale()) }) : t("services.nextDue", { date: formatDate(service.next_due_on, locale()) })]
                      .filter(Boolean)
                      .join(" · ")}
                  </span>
                </div>
                <div className="row-end">
                  {service.price && <Amount value={service.price} />}
                  <IncidentBadge serviceId={service.id} />
                  <StatusBadge kind="service" status={service.state} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
