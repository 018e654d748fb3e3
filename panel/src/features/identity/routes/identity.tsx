// A-2 for the client (issue 18): upload the document's front and back and a selfie, give the legal name and tax id,
// send them to staff; the page shows the state, staff's reason when rejected, and the verified badge.
import "../identity.css";

import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import { IdentityBadge } from "@/features/identity/components/verified-badge";
import { SIDES, useIdentity, useSubmitIdentity, useUpload, type Identity, type IdentitySubmit, type Side } from "@/features/identity/api";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

const DOCUMENT_TYPES: IdentitySubmit["document_type"][] = ["dni", "passport", "cedula", "other"];

function Upload({ side, uploaded }: { side: Side; uploaded: boolean }) {
  const { t } = useTranslation();
  const upload = useUpload();
  const [chosen, setChosen] = useState("");
  const id = `identity-${side}`;
  return (
    <div className="field identity-upload" data-testid={`upload-${side}`}>
      <label htmlFor={id}>{t(`identity.sides.${side}`)}</label>
      {/* The browser's own file button speaks the browser's language ("Choose File" on a Spanish page): the input is
          visually hidden but focusable and labelled, and a label-button in the page's language opens it. */}
      <div className="file-picker">
        <input
          id={id}
          className="file-input"
          type="file"
          accept={side === "selfie" ? "image/jpeg,image/png" : "image/jpeg,image/png,application/pdf"}
          aria-describedby={`${id}-state`}
          disabled={upload.isPending}
          onChange={(e) => {
            const file = e.target.files?.[0];
            setChosen(file?.name ?? "");
            if (file) upload.mutate({ side, file });
          }}
        />
        <label htmlFor={id} className="btn btn-secondary btn-small file-button" aria-hidden="true">
          {t("identity.chooseFile")}
        </label>
        <span className="file-names">{chosen || t("identity.noFile")}</span>
      </div>
      <p className="field-hint" id={`${id}-state`}>
        {upload.isPending ? t("identity.uploading") : uploaded ? `✓ ${t("identity.uploaded")}` : t(side === "selfie" ? "identity.selfieHint" : "identity.fileHint")}
      </p>
      <ErrorNotice error={upload.error} />
    </div>
  );
}

function SubmitForm({ identity }: { identity: Identity }) {
  const { t } = useTranslation();
  const submit = useSubmitIdentity();
  const [form, setForm] = useState<IdentitySubmit>({ legal_name: identity.legal_name ?? "", tax_id: "", document_type: (identity.document_type as IdentitySubmit["document_type"]) ?? "dni", address: identity.address ?? "" });
  const missing = SIDES.filter((s) => !identity.documents.includes(s));
  const send = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate({ ...form, legal_name: form.legal_name.trim(), tax_id: form.tax_id.trim(), address: form.address?.trim() || null });
  };
  return (
    <form className="form" onSubmit={send}>
      <Field label={t("identity.legalName")} hint={t("identity.legalNameHint")} required minLength={2} maxLength={200} autoComplete="name" value={form.legal_name} onChange={(e) => setForm({ ...form, legal_name: e.target.value })} />
      <div className="form-row">
        <SelectField label={t("identity.documentType")} value={form.document_type} onChange={(e) => setForm({ ...form, document_type: e.target.value as IdentitySubmit["document_type"] })}>
          {DOCUMENT_TYPES.map((d) => (
            <option key={d} value={d}>
              {t(`identity.documentTypes.${d}`)}
            </option>
          ))}
        </SelectField>
        <Field label={t("identity.taxId")} hint={t("identity.taxIdHint")} required minLength={6} maxLength={32} value={form.tax_id} onChange={(e) => setForm({ ...form, tax_id: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="identity-address">{t("identity.address")}</label>
        <textarea id="identity-address" rows={3} maxLength={500} autoComplete="street-address" aria-describedby="identity-address-hint" value={form.address ?? ""} onChange={(e) => setForm({ ...form, address: e.target.value })} />
        <p className="field-hint" id="identity-address-hint">
          {t("identity.addressHint")}
        </p>
      </div>
      {missing.length > 0 && <p className="muted">{t("identity.missing", { sides: missing.map((s) => t(`identity.sides.${s}`)).join(", ") })}</p>}
      <ErrorNotice error={submit.error} />
      <div className="inline-actions">
        <Button type="submit" busy={submit.isPending} disabled={missing.length > 0}>
          {t("identity.submit")}
        </Button>
      </div>
    </form>
  );
}

export default function IdentityRoute() {
  const { t } = useTranslation();
  const identity = useIdentity();
  if (identity.isPending) return <Spinner />;
  if (identity.isError) return <ErrorNotice error={identity.error} />;
  const id = identity.data;
  const editable = id.status === "draft" || id.status === "rejected";
  return (
    <>
      <PageHeader title={t("identity.title")} subtitle={<>{t("identity.lead")} <IdentityBadge status={id.status} /></>} />
      {id.status === "verified" && (
        <Notice tone="ok" title={t("identity.verifiedTitle")}>
          <p>{t("identity.verifiedText", { name: id.legal_name, date: formatDate(id.decided_at, locale()) })}</p>
        </Notice>
      )}
      {id.status === "pending" && (
        <Notice tone="info" title={t("identity.pendingTitle")}>
          <p>{t("identity.pendingText", { date: formatDate(id.submitted_at, locale()) })}</p>
        </Notice>
      )}
      {id.status === "rejected" && (
        <Notice tone="bad" title={t("identity.rejectedTitle")}>
          <p data-testid="identity-reason">{id.reason}</p>
          <p>{t("identity.rejectedText")}</p>
        </Notice>
      )}
      {editable && (
        <div className="grid-2">
          <Card title={t("identity.documents")}>
            <p className="muted">{t("identity.documentsLead")}</p>
            {SIDES.map((side) => (
              <Upload key={side} side={side} uploaded={id.documents.includes(side)} />
            ))}
          </Card>
          <Card title={t("identity.data")}>
            <SubmitForm identity={id} />
          </Card>
        </div>
      )}
      <Card title={t("identity.why")}>
        <p>{t("identity.whyText")}</p>
      </Card>
    </>
  );
}
