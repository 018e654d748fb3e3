// Small pieces the support pages share: a labelled text area, a file picker with the API's limits, badges.
import { useId, useState, type TextareaHTMLAttributes } from "react";
import { useTranslation } from "react-i18next";

import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { toAttachments, type AttachmentIn } from "../api";
import "../support.css";

export const MAX_FILES = 3;
export const MAX_BYTES = 4 * 1024 * 1024;
const TONES: Record<string, string> = {
  open: "warn",
  answered: "ok",
  waiting_on_client: "bad",
  closed: "muted",
  sent: "warn",
  accepted: "ok",
  expired: "muted",
  booked: "ok",
  cancelled: "muted",
};

export function SupportBadge({ group, status }: { group: "statuses" | "quoteStatuses" | "appointmentStatuses"; status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${TONES[status] ?? "muted"}`} data-status={status}>
      {t(`support.${group}.${status}`, { defaultValue: status })}
    </span>
  );
}

export function TextArea({ label, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={6} {...rest} />
    </div>
  );
}

/** Picks up to 3 files of 4 MB; the server checks their type again by content. The browser's own file button
 * speaks the browser's language ("Choose Files" on a Spanish page), so the native input is hidden (still focusable
 * and labelled) and a button-like label in the page's language opens it, with the chosen names beside it. */
export function FilePicker({ onChange }: { onChange: (files: AttachmentIn[] | null) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [names, setNames] = useState<string[]>([]);
  return (
    <div className="field">
      <label htmlFor={id}>{t("support.attachments")}</label>
      <div className="file-picker">
        <input
          id={id}
          className="file-input"
          type="file"
          multiple
          accept="image/png,image/jpeg,image/gif,application/pdf,text/plain"
          aria-describedby={`${id}-chosen ${id}-hint`}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            setNames(files.map((f) => f.name));
            const big = files.find((f) => f.size > MAX_BYTES);
            const problem = files.length > MAX_FILES ? t("support.tooMany") : big ? t("support.tooBig", { name: big.name }) : null;
            setError(problem);
            if (problem) onChange(null);
            else void toAttachments(files).then(onChange);
          }}
        />
        {/* A second label of the same input: a click opens the picker; hidden from the accessible name. */}
        <label htmlFor={id} className="btn btn-secondary btn-small file-button" aria-hidden="true">
          {t("support.chooseFiles")}
        </label>
        <span className="file-names" id={`${id}-chosen`} data-testid="chosen-files">
          {names.length ? names.join(", ") : t("support.noFiles")}
        </span>
      </div>
      <p className="field-hint" id={`${id}-hint`}>
        {t("support.attachmentsHint")}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A duration in minutes as a person says it: "2 h", "8 h", "1 día". */
export function duration(minutes: number, language: string): string {
  const unit = (value: number, name: "minute" | "hour" | "day") =>
    new Intl.NumberFormat(language, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  if (minutes % 1440 === 0) return unit(minutes / 1440, "day");
  if (minutes % 60 === 0) return unit(minutes / 60, "hour");
  return unit(minutes, "minute");
}

export function when(value: string | null | undefined): string {
  return formatDateTime(value, locale());
}
