import { useTranslation } from "react-i18next";

/** The client number as staff say it on the phone. */
export function clientNumber(number: number): string {
  return `C-${number}`;
}

export function VerificationBadge({ status, closed }: { status: string | null | undefined; closed?: boolean }) {
  const { t } = useTranslation();
  if (closed) return <span className="badge badge-bad">{t("console.client.closed")}</span>;
  const tone = status === "verified" ? "ok" : status === "pending" ? "warn" : status === "rejected" ? "bad" : "muted";
  return <span className={`badge badge-${tone}`}>{t(`console.verification.${status ?? "none"}`)}</span>;
}
