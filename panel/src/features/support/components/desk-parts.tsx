// Small pieces of the staff desk: the priority S-3's flags raised, a deadline that says when it was missed.
import { useTranslation } from "react-i18next";

import { when } from "./parts";

const PRIORITY_TONES: Record<string, string> = { normal: "muted", high: "warn", urgent: "bad" };

export function PriorityBadge({ priority }: { priority: string }) {
  const { t } = useTranslation();
  if (priority === "normal") return null;
  return (
    <span className={`badge badge-${PRIORITY_TONES[priority] ?? "muted"}`} data-priority={priority}>
      {t(`support.desk.priorities.${priority}`, { defaultValue: priority })}
    </span>
  );
}

export function DeadlineCell({ at }: { at: string | null | undefined }) {
  const { t } = useTranslation();
  if (!at) return <span className="muted">—</span>;
  const late = new Date(at).getTime() < Date.now();
  return (
    <span className={late ? "deadline-late" : undefined} data-testid="deadline">
      {when(at)}
      {late && <span className="badge badge-bad">{t("support.desk.late")}</span>}
    </span>
  );
}
