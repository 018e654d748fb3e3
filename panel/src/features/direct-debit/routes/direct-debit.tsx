// /direct-debit: an ARS client signs a Pagos360 direct-debit mandate (adhesión) by CBU or card, sees its state and
// cancels it in one step (B-20, B-21; issue 15 item 3).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useCancelMandate, useDirectDebit, useSignMandate, type Mandate } from "../api";

const digits = (value: string) => value.replace(/[\s.-]/g, "");

function SignForm() {
  const { t } = useTranslation();
  const sign = useSignMandate();
  const [kind, setKind] = useState<"cbu" | "card">("cbu");
  const [holder, setHolder] = useState("");
  const [cbu, setCbu] = useState("");
  const [taxId, setTaxId] = useState("");
  const [card, setCard] = useState("");
  const cbuOk = /^\d{22}$/.test(digits(cbu));
  const taxOk = /^\d{11}$/.test(digits(taxId));
  const cardOk = /^\d{13,19}$/.test(digits(card));
  const ready = holder.trim().length >= 2 && (kind === "cbu" ? cbuOk && taxOk : cardOk);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    sign.mutate(
      kind === "cbu"
        ? { kind, holder_name: holder.trim(), cbu: digits(cbu), holder_tax_id: digits(taxId) }
        : { kind, holder_name: holder.trim(), card_number: digits(card) },
    );
  }

  return (
    <Card title={t("directDebit.signTitle")}>
      <form className="form" onSubmit={submit} data-testid="mandate-form">
        <SelectField label={t("directDebit.kind")} value={kind} onChange={(e) => setKind(e.target.value as "cbu" | "card")}>
          <option value="cbu">{t("directDebit.kinds.cbu")}</option>
          <option value="card">{t("directDebit.kinds.card")}</option>
        </SelectField>
        <Field label={t("directDebit.holderName")} required maxLength={120} autoComplete="name" value={holder} onChange={(e) => setHolder(e.target.value)} />
        {kind === "cbu" ? (
          <>
            <Field label={t("directDebit.cbu")} required inputMode="numeric" value={cbu} onChange={(e) => setCbu(e.target.value)} error={cbu && !cbuOk ? t("directDebit.cbuInvalid") : null} />
            <Field label={t("directDebit.taxId")} required inputMode="numeric" value={taxId} onChange={(e) => setTaxId(e.target.value)} error={taxId && !taxOk ? t("directDebit.taxIdInvalid") : null} />
          </>
        ) : (
          <Field
            label={t("directDebit.card")}
            required
            inputMode="numeric"
            autoComplete="cc-number"
            hint={t("directDebit.cardNote")}
            value={card}
            onChange={(e) => setCard(e.target.value)}
            error={card && !cardOk ? t("directDebit.cardInvalid") : null}
          />
        )}
        <ErrorNotice error={sign.error} />
        <div className="inline-actions">
          <Button type="submit" busy={sign.isPending} disabled={!ready}>
            {t("directDebit.sign")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Current({ mandate }: { mandate: Mandate }) {
  const { t } = useTranslation();
  const cancel = useCancelMandate();
  const [confirming, setConfirming] = useState(false);
  return (
    <Card title={t("directDebit.current")}>
      <div className="form">
        <p data-testid="mandate">
          <strong>{mandate.label}</strong> · <span data-testid="mandate-state">{t(`directDebit.states.${mandate.state}`, { defaultValue: mandate.state })}</span>
        </p>
        <p className="summary-note">
          {t("directDebit.holder")}: {mandate.holder_name} · {t("directDebit.since", { when: formatDate(mandate.created_at, locale()) })}
        </p>
        <Notice tone={mandate.state === "active" ? "ok" : "info"}>{mandate.state === "active" ? t("directDebit.activeHint") : t("directDebit.pendingHint")}</Notice>
        <ErrorNotice error={cancel.error} />
        <div className="inline-actions">
          {confirming ? (
            <>
              <span>{t("directDebit.cancelConfirm")}</span>
              <Button variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate()}>
                {t("directDebit.cancel")}
              </Button>
            </>
          ) : (
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              {t("directDebit.cancel")}
            </Button>
          )}
        </div>
      </div>
    </Card>
  );
}

export default function DirectDebitRoute() {
  const { t } = useTranslation();
  const status = useDirectDebit();
  const cancelledNow = status.data?.mandate?.state === "cancelled";
  return (
    <>
      <PageHeader title={t("directDebit.title")} subtitle={t("directDebit.lead")} />
      {status.isPending ? (
        <Spinner />
      ) : status.isError ? (
        <ErrorNotice error={status.error} />
      ) : !status.data.available ? (
        <Notice tone="info">{t(`directDebit.unavailable.${status.data.unavailable_reason ?? "not-configured"}`, { defaultValue: t("directDebit.unavailable.not-configured") })}</Notice>
      ) : status.data.mandate && !cancelledNow ? (
        <Current mandate={status.data.mandate} />
      ) : (
        <>
          {cancelledNow && <Notice tone="ok">{t("directDebit.cancelled")}</Notice>}
          <SignForm />
        </>
      )}
    </>
  );
}
