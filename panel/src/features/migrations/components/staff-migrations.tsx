// P-8 in the console's provisioning work area: "we migrate everything" requests, overdue first; the old server's
// access is shown on request (each look audited) and hidden again; staff tell the client the progress and finish it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, CopyButton, EmptyState, ErrorNotice, Field, Spinner } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useFinishMigration, useMigrationProgress, useRevealAccess, useStaffMigrations, type OldServerAccess, type StaffMigration } from "../api";

function Access({ access }: { access: OldServerAccess }) {
  const { t } = useTranslation();
  const rows: [string, string | null | undefined][] = [
    [t("migrations.console.host"), access.host],
    [t("migrations.console.username"), access.username],
    [t("migrations.console.password"), access.password],
    [t("migrations.console.notes"), access.notes],
  ];
  return (
    <dl className="deflist" data-testid="migration-access">
      {rows
        .filter(([, v]) => v)
        .map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="inline-actions">
              <span className="secret">{value}</span>
              <CopyButton value={value ?? ""} label={label} />
            </dd>
          </div>
        ))}
    </dl>
  );
}

function Row({ migration }: { migration: StaffMigration }) {
  const { t } = useTranslation();
  const name = migration.domain ?? migration.product_name;
  const reveal = useRevealAccess();
  const progress = useMigrationProgress();
  const finish = useFinishMigration();
  const [shown, setShown] = useState(false);
  const [news, setNews] = useState("");
  const [closing, setClosing] = useState("");
  return (
    <li className="migration-row" data-testid="staff-migration">
      <div>
        <strong>
          <Link to={`/staff/clients/${migration.client_id}`}>{name}</Link>
        </strong>{" "}
        <span className="muted">{migration.product_name}</span>
        <br />
        {t("migrations.console.due")}: {formatDate(migration.due_on, locale())}{" "}
        {migration.overdue && <span className="badge badge-bad">{t("migrations.console.overdue")}</span>}
        {migration.progress_note && <p className="muted">{migration.progress_note}</p>}
      </div>
      <Button
        variant="secondary"
        className="btn-small"
        aria-expanded={shown}
        aria-label={t(shown ? "migrations.console.hideOf" : "migrations.console.revealOf", { name })}
        busy={reveal.isPending}
        onClick={() => {
          if (shown) {
            setShown(false);
            reveal.reset();
          } else reveal.mutate(migration.id, { onSuccess: () => setShown(true) });
        }}
      >
        {shown ? t("migrations.console.hide") : t("migrations.console.reveal")}
      </Button>
      {shown && reveal.data && <Access access={reveal.data} />}
      <form
        className="inline-actions"
        style={{ alignItems: "flex-end" }}
        onSubmit={(e) => {
          e.preventDefault();
          progress.mutate({ id: migration.id, note: news.trim() }, { onSuccess: () => setNews("") });
        }}
      >
        <Field label={t("migrations.console.progressOf", { name })} required maxLength={2000} value={news} onChange={(e) => setNews(e.target.value)} />
        <Button type="submit" variant="secondary" className="btn-small" busy={progress.isPending}>
          {t("migrations.console.sendProgress")}
        </Button>
      </form>
      <form
        className="inline-actions"
        style={{ alignItems: "flex-end" }}
        onSubmit={(e) => {
          e.preventDefault();
          finish.mutate({ id: migration.id, note: closing.trim() });
        }}
      >
        <Field label={t("migrations.console.doneNote", { name })} maxLength={2000} value={closing} onChange={(e) => setClosing(e.target.value)} />
        <Button type="submit" className="btn-small" busy={finish.isPending}>
          {t("migrations.console.markDone")}
        </Button>
      </form>
      <ErrorNotice error={reveal.error ?? progress.error ?? finish.error} />
    </li>
  );
}

export function StaffMigrations() {
  const { t } = useTranslation();
  const migrations = useStaffMigrations();
  return (
    <Card title={t("migrations.console.title")}>
      {migrations.isPending ? (
        <Spinner />
      ) : migrations.isError ? (
        <ErrorNotice error={migrations.error} />
      ) : migrations.data.length === 0 ? (
        <EmptyState title={t("migrations.console.empty")} />
      ) : (
        <ul className="plain-list">
          {[...migrations.data]
            .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.due_on ?? "").localeCompare(b.due_on ?? ""))
            .map((m) => (
              <Row key={m.id} migration={m} />
            ))}
        </ul>
      )}
    </Card>
  );
}
