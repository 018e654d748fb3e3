import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Card, Spinner } from "@/components/ui";
import { useIdentity } from "@/features/identity/api";
import { IdentityBadge } from "@/features/identity/components/verified-badge";

/** The profile's short view of A-2: the badge, and the way to the verification page. */
export function IdentityCard() {
  const { t } = useTranslation();
  const identity = useIdentity();
  return (
    <Card title={t("identity.title")}>
      {identity.isPending ? (
        <Spinner />
      ) : (
        <p>
          <IdentityBadge status={identity.data?.status} />{" "}
          <Link to="/identity">{identity.data?.status === "verified" ? t("identity.see") : t("identity.start")}</Link>
        </p>
      )}
    </Card>
  );
}
