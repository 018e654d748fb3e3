// The panel's small set of controls: every input has a visible label, every state is announced.
import {
  useId,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
} from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import type { Money as MoneyValue } from "@/lib/api/client";
import { formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";
import { ApiError } from "@/lib/problem";

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "ghost" | "danger";
  busy?: boolean;
};

export function Button({ variant = "primary", busy, disabled, children, className, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      className={`btn btn-${variant} ${className ?? ""}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy && <span className="spinner spinner-inline" aria-hidden="true" />}
      {children}
    </button>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | null };

export function Field({ label, hint, error, id, className, ...rest }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        {...rest}
      />
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode };

export function SelectField({ label, id, children, className, ...rest }: SelectProps) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} {...rest}>
        {children}
      </select>
    </div>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

const TONES: Record<string, string> = {
  active: "ok",
  paid: "ok",
  accepted: "ok",
  pending: "warn",
  unpaid: "warn",
  requested: "warn",
  suspended: "bad",
  overdue: "bad",
  cancelled: "muted",
  terminated: "muted",
  expired: "muted",
  waived: "muted",
  refunded: "muted",
};

export function StatusBadge({ status, kind }: { status: string; kind: "service" | "invoice" | "transfer" }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${TONES[status] ?? "muted"}`} data-status={status}>
      {t(`status.${kind}.${status}`, { defaultValue: status })}
    </span>
  );
}

export function Amount({ value, className }: { value: MoneyValue; className?: string }) {
  useTranslation(); // re-render on language change
  return <span className={`amount ${className ?? ""}`}>{formatMoney(value, locale())}</span>;
}

export function Spinner({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t("common.loading")}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Notice({ tone = "info", title, children }: { tone?: "info" | "ok" | "warn" | "bad"; title?: ReactNode; children?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "bad" ? "alert" : "status"}>
      {title && <p className="notice-title">{title}</p>}
      {children}
    </div>
  );
}

/** An API error as a person reads it: a sentence in the page's language, the server's detail when it helps. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return <Notice tone="bad" title={t("errors.network")} />;
  }
  // A problem that says why (`reason`) is worded by its reason when the page knows it, else by its type.
  const byReason = error.problem.reason ? `errors.reason.${error.code}.${error.problem.reason}` : "";
  const byCode = byReason && i18n.exists(byReason) ? byReason : `errors.code.${error.code}`;
  const known = i18n.exists(byCode);
  const detail = error.problem.detail ? translateDetail(error.problem.detail, t, i18n.language) : null;
  // A refusal we can say precisely is the headline; otherwise the kind of error, and the server's words under it.
  const title = detail?.translated
    ? detail.text
    : known
      ? t(byCode)
      : t(`errors.status.${error.status}`, { defaultValue: t("errors.generic") });
  const fields = error.fields.filter((f) => f !== "body");
  return (
    <Notice tone="bad" title={title}>
      {fields.length > 0 && <p>{t("errors.fields", { fields: fields.map((f) => t(`fields.${f}`, { defaultValue: f })).join(", ") })}</p>}
      {detail && !detail.translated && !known && error.status !== 422 && (
        <p className="notice-detail" lang="en">
          {detail.text}
        </p>
      )}
    </Notice>
  );
}

// The services explain refusals in English; the common ones are said again in the page's language.
const DETAILS: [RegExp, string][] = [
  [/^Unknown coupon '(.+)'/, "errors.detail.coupon_unknown"],
  [/^Coupon '(.+)' has expired/, "errors.detail.coupon_expired"],
  [/^Coupon '(.+)' has been used up/, "errors.detail.coupon_used"],
  [/^Coupon '(.+)' is for new clients only/, "errors.detail.coupon_new_only"],
  [/^Coupon '(.+)' is for existing clients only/, "errors.detail.coupon_existing_only"],
  [/^Cancelling requires no unpaid invoices/, "errors.detail.cancel_unpaid"],
  [/is a downgrade/, "errors.detail.downgrade"],
  [/^The cycle can be changed up to (\d+) days/, "errors.detail.cycle_too_late"],
  [/^This service is not active yet/, "errors.detail.not_active_yet"],
  [/^Billing does not know your account yet/, "errors.detail.billing_not_ready"],
  [/accepts at least/, "errors.detail.minimum"],
  [/^An account with this e-mail already exists/, "errors.detail.email_taken"],
  [/^The current password is wrong/, "errors.detail.current_password"],
  [/^You have no such service|^No such service/, "errors.detail.no_service"],
];

function translateDetail(detail: string, t: TFunction, language: string): { text: string; translated: boolean } {
  for (const [pattern, key] of DETAILS) {
    const match = pattern.exec(detail);
    if (match) return { text: t(key, { value: match[1] ?? "" }), translated: true };
  }
  return { text: language === "en" ? detail : `${t("errors.original")}: ${detail}`, translated: false };
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="ghost"
      className="btn-small"
      aria-label={`${t("common.copy")}: ${label}`}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        });
      }}
    >
      {copied ? t("common.copied") : t("common.copy")}
    </Button>
  );
}

export function DefinitionList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="deflist">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
