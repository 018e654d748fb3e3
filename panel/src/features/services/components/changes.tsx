import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { Amount, Button, Card, ErrorNotice, Field, Notice, SelectField } from "@/components/ui";
import { LineItems } from "@/features/order/components/price-summary";
import type { BillingService, Cycle, Product, Transfer } from "@/lib/api/client";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";
import { ApiError } from "@/lib/problem";

import { useCancel, useCancelTransfer, useChangeCycle, useRequestTransfer, useSetRenew, useUpgrade, useUpgradePreview } from "../api";

/** B-14: pick a bigger plan, see the prorated difference for the days left, confirm. */
export function UpgradeCard({ service, targets }: { service: BillingService; targets: Product[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [target, setTarget] = useState(targets[0]?.code ?? "");
  const preview = useUpgradePreview(service.id);
  const upgrade = useUpgrade(service.id);
  if (!targets.length) return null;
  return (
    <Card title={t("services.upgrade")}>
      <div className="inline-actions" style={{ alignItems: "flex-end" }}>
        <SelectField
          label={t("services.upgradeTo")}
          value={target}
          onChange={(e) => {
            setTarget(e.target.value);
            preview.reset();
          }}
        >
          {targets.map((p) => (
            <option key={p.code} value={p.code}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <Button variant="secondary" busy={preview.isPending} onClick={() => preview.mutate(target)}>
          {t("services.seePrice")}
        </Button>
      </div>
      <ErrorNotice error={preview.error} />
      {preview.data && (
        <div className="summary" aria-live="polite" data-testid="upgrade-preview">
          {preview.data.prorations.map((p, i) => (
            <p key={i} className="summary-note">
              {t("services.proration", {
                days: p.remaining_days,
                period: p.period_days,
                start: formatDate(p.period_start_on, locale()),
                end: formatDate(p.period_end_on, locale()),
              })}
            </p>
          ))}
          <LineItems lines={preview.data.lines} />
          {preview.data.credit.amount_minor > 0 && (
            <div className="summary-line discount">
              <span>{t("order.creditApplied")}</span>
              <Amount value={preview.data.credit} />
            </div>
          )}
          <div className="summary-line total">
            <span>{t("services.upgradeTotal")}</span>
            <Amount value={preview.data.total} />
          </div>
          <ErrorNotice error={upgrade.error} />
          <Button busy={upgrade.isPending} onClick={() => upgrade.mutate(target, { onSuccess: (placed) => navigate(`/invoices/${placed.invoice.id}`) })}>
            {t("services.confirmUpgrade")}
          </Button>
        </div>
      )}
    </Card>
  );
}

/** B-11: another billing cycle from the next renewal on. */
export function CycleCard({ service, product }: { service: BillingService; product: Product | undefined }) {
  const { t } = useTranslation();
  const cycles = (product?.cycles ?? []).filter((c) => c !== service.cycle);
  const [picked, setCycle] = useState<Cycle | "">("");
  const cycle = picked || cycles[0] || ""; // the catalog may arrive after the first render
  const change = useChangeCycle(service.id);
  if (!cycles.length) return null;
  const price = product?.prices.find((p) => p.cycle === cycle && p.currency === service.price?.currency);
  return (
    <Card title={t("services.cycleChange")}>
      <p className="muted">{t("services.cycleLead", { cycle: t(`cycle.${service.cycle}`, { defaultValue: service.cycle }).toLocaleLowerCase() })}</p>
      <div className="inline-actions" style={{ alignItems: "flex-end" }}>
        <SelectField label={t("fields.cycle")} value={cycle} onChange={(e) => setCycle(e.target.value as Cycle)}>
          {cycles.map((c) => (
            <option key={c} value={c}>
              {t(`cycle.${c}`)}
            </option>
          ))}
        </SelectField>
        {price && <Amount value={{ amount_minor: price.amount_minor, currency: price.currency }} />}
        <Button variant="secondary" busy={change.isPending} disabled={!cycle} onClick={() => cycle && change.mutate(cycle)}>
          {t("services.changeCycle")}
        </Button>
      </div>
      <ErrorNotice error={change.error} />
      {change.isSuccess && <Notice tone="ok">{t("services.cycleChanged", { cycle: t(`cycle.${change.data.service.cycle}`) })}</Notice>}
    </Card>
  );
}

/** B-15: cancel at the end of the paid period (or at once), and renewal on/off. */
export function CancelCard({ service }: { service: BillingService }) {
  const { t } = useTranslation();
  const [when, setWhen] = useState<"end_of_period" | "immediate">("end_of_period");
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancel(service.id);
  const renew = useSetRenew(service.id);
  if (service.ends_on) {
    return (
      <Card title={t("services.cancel")}>
        <Notice tone="warn">{t("services.endsOnLead", { date: formatDate(service.ends_on, locale()) })}</Notice>
      </Card>
    );
  }
  return (
    <Card title={t("services.cancel")}>
      <label className="switch">
        <input type="checkbox" checked={service.renew} onChange={(e) => renew.mutate(e.target.checked)} disabled={renew.isPending} />
        <span>{t("services.autoRenew")}</span>
      </label>
      <ErrorNotice error={renew.error} />
      <fieldset>
        <legend>{t("services.cancelWhen")}</legend>
        <div className="choices">
          {(["end_of_period", "immediate"] as const).map((w) => (
            <label key={w} className="choice">
              <input type="radio" name="when" checked={when === w} onChange={() => setWhen(w)} />
              <span className="choice-title">{t(`services.when.${w}`)}</span>
              <span className="choice-sub">{t(`services.whenHint.${w}`, { date: formatDate(service.next_due_on, locale()) })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {!confirming ? (
        <Button variant="ghost" onClick={() => setConfirming(true)}>
          {t("services.cancelCta")}
        </Button>
      ) : (
        <Notice tone="warn" title={t("services.cancelSure", { name: service.product_name })}>
          <div className="inline-actions">
            <Button variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate(when, { onSettled: () => setConfirming(false) })}>
              {t("services.cancelConfirm")}
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(false)}>
              {t("common.back")}
            </Button>
          </div>
        </Notice>
      )}
      <ErrorNotice error={cancel.error} />
    </Card>
  );
}

/** P-6: hand the service to another client, who accepts it from their own panel. */
export function TransferCard({ service, pending }: { service: BillingService; pending: Transfer[] }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const request = useRequestTransfer(service.id);
  const cancel = useCancelTransfer();
  const open = pending.filter((p) => p.status === "pending" && p.direction === "outgoing");
  return (
    <Card title={t("services.transfer")}>
      {open.length > 0 ? (
        open.map((p) => (
          <Notice key={p.id} tone="info" title={t("services.transferPending", { email: p.to_email ?? "—" })}>
            <p>{t("services.transferExpires", { date: formatDate(p.expires_at, locale()) })}</p>
            <Button variant="ghost" className="btn-small" busy={cancel.isPending} onClick={() => cancel.mutate(p.id)}>
              {t("services.transferCancel")}
            </Button>
          </Notice>
        ))
      ) : (
        <form
          className="inline-actions"
          style={{ alignItems: "flex-end" }}
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate(email.trim(), { onSuccess: () => setEmail("") });
          }}
        >
          <Field label={t("services.transferTo")} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} hint={t("services.transferHint")} />
          <Button type="submit" variant="secondary" busy={request.isPending}>
            {t("services.transferCta")}
          </Button>
        </form>
      )}
      <ErrorNotice error={request.error ?? cancel.error} />
      {request.error instanceof ApiError && request.error.code === "client-not-verified" && <Link to="/identity">{t("services.verifyIdentity")}</Link>}
    </Card>
  );
}
