// /domains: search and register (D-1), and the client's domains with their expiry (D-2).
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Card, EmptyState, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useBillingProfile } from "@/features/order/api";
import type { Money } from "@/lib/api/client";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useDomains } from "../api";
import { DomainSearch } from "../components/search";
import { DomainBadge } from "../components/status";

export default function DomainsRoute() {
  const { t } = useTranslation();
  const profile = useBillingProfile();
  const domains = useDomains();
  return (
    <>
      <PageHeader title={t("domains.title")} subtitle={t("domains.lead")} />
      <Card title={t("domains.mine")}>
        {domains.isPending ? (
          <Spinner />
        ) : domains.isError ? (
          <ErrorNotice error={domains.error} />
        ) : domains.data.length === 0 ? (
          <EmptyState title={t("domains.none")} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("domains.domain")}</th>
                <th scope="col">{t("domains.status")}</th>
                <th scope="col">{t("domains.expires")}</th>
              </tr>
            </thead>
            <tbody>
              {domains.data.map((d) => (
                <tr key={d.service_id} data-testid="domain-row">
                  <td>
                    <Link className="row-title" to={`/domains/${d.service_id}`}>
                      {d.name}
                    </Link>
                    {d.needs && <div className="row-sub text-bad">{t(`domains.needs.${d.needs}`)}</div>}
                  </td>
                  <td>
                    <DomainBadge status={d.status} />
                  </td>
                  <td data-label={t("domains.expires")}>{formatDate(d.expires_on, locale())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {profile.isError ? <ErrorNotice error={profile.error} /> : profile.data ? <DomainSearch currency={profile.data.currency as Money["currency"]} /> : <Spinner />}
    </>
  );
}
