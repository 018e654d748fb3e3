import { useTranslation } from "react-i18next";

/** the identity's state as a badge; "verified" is the badge the panel promises. */
export function IdentityBadge({ status }: { status: string | undefined }) {
  const { t } = useTranslation();
  const tone = status === "verified" ? "ok" : status === "pending" ? "warn" : status === "rejected" ? "bad" : "muted";
  return (
    <span className={`badge badge-${tone}`} data-testid="identity-badge">
      {status === "verified" && <span aria-hidden="true">✓ </span>}
      {t(`identity.status.${status ?? "draft"}`)}
    </span>
  );
}
