import { useTranslation } from "react-i18next";

const TONES: Record<string, string> = { active: "ok", pending: "warn", awaiting_contact: "warn", registering: "warn", transferring: "warn", expired: "bad" };

export function DomainBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${TONES[status] ?? "muted"}`} data-status={status}>
      {t(`domains.statuses.${status}`, { defaultValue: status })}
    </span>
  );
}
