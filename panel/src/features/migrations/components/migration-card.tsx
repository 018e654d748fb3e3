// P-8 on the client's hosting page: "we migrate everything" (the old server's access, a deadline, staff's progress)
// or "I migrate it myself" (the instructions, nothing asked of staff).
import { useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, Spinner } from "@/components/ui";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useMigrations, useRequestMigration, type Migration } from "../api";

const STEPS = ["s1", "s2", "s3", "s4"] as const;

function Instructions() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="migration-instructions">
      <h3 id="migration-instructions">{t("migrations.instructionsTitle")}</h3>
      <ol>
        {STEPS.map((s) => (
          <li key={s}>{t(`migrations.instructions.${s}`)}</li>
        ))}
      </ol>
    </section>
  );
}

function Current({ migration }: { migration: Migration }) {
  const { t } = useTranslation();
  const date = formatDate(migration.state === "done" ? migration.done_at : migration.due_on, locale());
  return (
    <div data-testid="migration-state">
      <Notice tone={migration.state === "done" ? "ok" : "info"} title={t(`migrations.state.${migration.state}`, { date })}>
        {migration.progress_note && migration.state !== "done" && (
          <p>
            <strong>{t("migrations.progress")}:</strong> {migration.progress_note}{" "}
            <span className="muted">({formatDateTime(migration.progress_at, locale())})</span>
          </p>
        )}
      </Notice>
    </div>
  );
}

function RequestForm({ serviceId }: { serviceId: string }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"staff" | "self">("staff");
  const [access, setAccess] = useState({ host: "", username: "", password: "", notes: "" });
  const request = useRequestMigration(serviceId);
  const set = (key: keyof typeof access) => (e: ChangeEvent<HTMLInputElement>) => setAccess({ ...access, [key]: e.target.value });
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        request.mutate(
          mode === "self" ? { mode } : { mode, access: { ...access, host: access.host.trim(), notes: access.notes.trim() || null } },
          { onSuccess: () => setAccess({ host: "", username: "", password: "", notes: "" }) },
        );
      }}
    >
      <fieldset>
        <legend>{t("migrations.choice")}</legend>
        <div className="choices">
          {(["staff", "self"] as const).map((m) => (
            <label key={m} className="choice">
              <input type="radio" name={`migration-mode-${serviceId}`} checked={mode === m} onChange={() => setMode(m)} />
              <span className="choice-title">{t(`migrations.${m}`)}</span>
              <span className="choice-sub">{t(`migrations.${m}Hint`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {mode === "staff" && (
        <>
          <Field label={t("migrations.host")} hint={t("migrations.hostHint")} required maxLength={255} value={access.host} onChange={set("host")} />
          <Field label={t("migrations.username")} required maxLength={200} autoComplete="off" value={access.username} onChange={set("username")} />
          <Field label={t("migrations.password")} type="password" required maxLength={200} autoComplete="new-password" value={access.password} onChange={set("password")} />
          <Field label={t("migrations.notes")} maxLength={2000} value={access.notes} onChange={set("notes")} />
          <p className="muted">{t("migrations.secretNote")}</p>
          <p className="muted">{t("migrations.emailsNote")}</p>
        </>
      )}
      <Button type="submit" busy={request.isPending}>
        {mode === "staff" ? t("migrations.submitStaff") : t("migrations.submitSelf")}
      </Button>
      <ErrorNotice error={request.error} />
    </form>
  );
}

export function MigrationCard({ serviceId }: { serviceId: string }) {
  const { t } = useTranslation();
  const migrations = useMigrations(serviceId);
  const [again, setAgain] = useState(false);
  const latest = migrations.data?.[0];
  // A finished or do-it-yourself migration stays on the page; another request is one click away.
  const settled = latest?.state === "self" || latest?.state === "done";
  const showForm = !latest || (settled && again);
  return (
    <Card title={t("migrations.title")}>
      <p>{t("migrations.lead")}</p>
      {migrations.isPending ? (
        <Spinner />
      ) : migrations.isError ? (
        <ErrorNotice error={migrations.error} />
      ) : (
        <>
          {latest && <Current migration={latest} />}
          {latest?.state === "self" && <Instructions />}
          {settled && !again && (
            <Button variant="secondary" onClick={() => setAgain(true)}>
              {latest.state === "self" ? t("migrations.wantStaff") : t("migrations.another")}
            </Button>
          )}
          {showForm && <RequestForm serviceId={serviceId} />}
        </>
      )}
    </Card>
  );
}
