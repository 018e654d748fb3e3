// /staff/domains (issue 21 item 4): domains by expiry and the registrar's errors with an audited retry.
import { useTranslation } from "react-i18next";

import { PageHeader } from "@/components/ui";
import { DomainsByExpiry, RegistrarErrors } from "@/features/domains/components/staff-domains";

export default function StaffDomainsRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("domains.staff.title")} subtitle={t("domains.staff.lead")} />
      <RegistrarErrors />
      <DomainsByExpiry />
    </>
  );
}
