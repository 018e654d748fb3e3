// A-2 in the staff console (issue 18): the verifications waiting for review, each with its three files (decrypted
// on demand, never cached), the legal name and the tax id's last digits; approve (ClientVerified tells the services)
// or reject with a reason the client reads. Both decisions are audited by the gateway.
import "../identity.css";

import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, Spinner } from "@/components/ui";
import { documentUrl, SIDES, useDecideIdentity, useIdentityQueue, type Identity, type Side } from "@/features/identity/api";
import { IdentityBadge } from "@/features/identity/components/verified-badge";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

function DocumentView({ clientId, side }: { clientId: string; side: Side }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<{ url: string; type: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => () => (file ? URL.revokeObjectURL(file.url) : undefined), [file]);
  if (!file) {
    return (
      <span>
        <Button variant="secondary" className="btn-small" onClick={() => void documentUrl(clientId, side).then(setFile, setError)}>
          {t("identity.staff.show", { side: t(`identity.sides.${side}`) })}
        </Button>
        <ErrorNotice error={error} />
      </span>
    );
  }
  return file.type === "application/pdf" ? (
    <a href={file.url} target="_blank" rel="noreferrer">
      {t("identity.staff.openPdf", { side: t(`identity.sides.${side}`) })}
    </a>
  ) : (
    <img className="identity-document" src={file.url} alt={t(`identity.sides.${side}`)} />
  );
}

function Review({ item }: { item: Identity }) {
  const { t } = useTranslation();
  const decide = useDecideIdentity();
  const [reason, setReason] = useState("");
  const pending = item.status === "pending";
  return (
    <li className="identity-review" data-testid="identity-review">
      <div>
        <strong>{item.legal_name ?? "—"}</strong> <IdentityBadge status={item.status} />
        <br />
        <span className="muted">
          {item.document_type ? t(`identity.documentTypes.${item.document_type}`) : "—"} · {t("identity.staff.taxIdEnds", { last4: item.tax_id_last4 ?? "—" })} ·{" "}
          {formatDateTime(item.submitted_at, locale())} · <Link to={`/staff/clients/${item.client_id}`}>{t("identity.staff.client")}</Link>
        </span>
        {item.reason && <p className="muted">{item.reason}</p>}
      </div>
      {pending && (
        <>
          <div className="identity-documents">
            {SIDES.filter((s) => item.documents.includes(s)).map((side) => (
              <DocumentView key={side} clientId={item.client_id} side={side} />
            ))}
          </div>
          <Field label={t("identity.staff.reason")} hint={t("identity.staff.reasonHint")} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="inline-actions">
            <Button busy={decide.isPending && decide.variables?.approve === true} onClick={() => decide.mutate({ clientId: item.client_id, approve: true, reason: reason.trim() })}>
              {t("identity.staff.approve")}
            </Button>
            <Button variant="danger" disabled={!reason.trim()} busy={decide.isPending && decide.variables?.approve === false} onClick={() => decide.mutate({ clientId: item.client_id, approve: false, reason: reason.trim() })}>
              {t("identity.staff.reject")}
            </Button>
          </div>
          <ErrorNotice error={decide.error} />
        </>
      )}
    </li>
  );
}

export default function StaffIdentityRoute() {
  const { t } = useTranslation();
  const [all, setAll] = useState(false);
  const queue = useIdentityQueue(all ? "" : "pending");
  return (
    <>
      <PageHeader title={t("identity.staff.title")} subtitle={t("identity.staff.lead")} />
      <Card
        title={all ? t("identity.staff.all") : t("identity.staff.pending")}
        actions={
          <Button variant="secondary" className="btn-small" onClick={() => setAll(!all)}>
            {all ? t("identity.staff.showPending") : t("identity.staff.showAll")}
          </Button>
        }
      >
        {queue.isPending ? (
          <Spinner />
        ) : queue.isError ? (
          <ErrorNotice error={queue.error} />
        ) : queue.data.length === 0 ? (
          <EmptyState title={t("identity.staff.none")} />
        ) : (
          <ul className="plain-list">
            {queue.data.map((item) => (
              <Review key={item.client_id} item={item} />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
