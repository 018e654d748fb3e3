import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, SelectField } from "@/components/ui";
import type { Cycle } from "@/lib/api/client";
import { parseAmount } from "@/lib/format";

import { useAdjustCredit, useCloseAccount, useOrderForClient, useProducts } from "../api";

const CYCLES: Cycle[] = ["monthly", "quarterly", "semiannual", "annual", "biennial"];

function CreditForm({ clientId, currency }: { clientId: string; currency: string }) {
  const { t } = useTranslation();
  const adjust = useAdjustCredit(clientId);
  const [direction, setDirection] = useState<"credit" | "debit">("credit");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const minor = parseAmount(amount, currency);
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!minor) return;
        adjust.mutate(
          { amount_minor: direction === "credit" ? minor : -minor, currency, reason: reason.trim() },
          {
            onSuccess: () => {
              setAmount("");
              setReason("");
            },
          },
        );
      }}
    >
      <h3>{t("console.actions.credit")}</h3>
      <SelectField label={t("console.actions.direction")} value={direction} onChange={(e) => setDirection(e.target.value as "credit" | "debit")}>
        <option value="credit">{t("console.actions.addCredit")}</option>
        <option value="debit">{t("console.actions.debit")}</option>
      </SelectField>
      <Field label={t("console.actions.amount", { currency })} inputMode="decimal" value={amount} required onChange={(e) => setAmount(e.target.value)} />
      <Field label={t("console.actions.reason")} value={reason} minLength={3} maxLength={500} required hint={t("console.actions.audited")} onChange={(e) => setReason(e.target.value)} />
      <Button type="submit" busy={adjust.isPending} disabled={!minor}>
        {t("console.actions.apply")}
      </Button>
      {adjust.isSuccess && <p className="notice notice-ok" role="status">{t("console.actions.applied")}</p>}
      <ErrorNotice error={adjust.error} />
    </form>
  );
}

function OrderForm({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const products = useProducts();
  const order = useOrderForClient(clientId);
  const [code, setCode] = useState("");
  const [cycle, setCycle] = useState<Cycle>("annual");
  const [domain, setDomain] = useState("");
  const active = (products.data ?? []).filter((p) => p.active);
  const product = active.find((p) => p.code === code);
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (code) order.mutate({ product_code: code, cycle, ...(domain.trim() ? { domain: domain.trim() } : {}) });
      }}
    >
      <h3>{t("console.actions.order")}</h3>
      <SelectField label={t("console.actions.product")} value={code} required onChange={(e) => setCode(e.target.value)}>
        <option value="">—</option>
        {active.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <SelectField label={t("console.actions.cycle")} value={cycle} onChange={(e) => setCycle(e.target.value as Cycle)}>
        {CYCLES.filter((c) => !product || product.cycles.includes(c)).map((c) => (
          <option key={c} value={c}>
            {t(`cycle.${c}`)}
          </option>
        ))}
      </SelectField>
      <Field label={t("console.actions.domain")} value={domain} maxLength={253} onChange={(e) => setDomain(e.target.value)} />
      <Button type="submit" busy={order.isPending} disabled={!code}>
        {t("console.actions.placeOrder")}
      </Button>
      {order.isSuccess && <p className="notice notice-ok" role="status">{t("console.actions.ordered", { number: order.data.number })}</p>}
      <ErrorNotice error={order.error} />
    </form>
  );
}

function CloseForm({ clientId, closed }: { clientId: string; closed: boolean }) {
  const { t } = useTranslation();
  const close = useCloseAccount(clientId);
  const [reason, setReason] = useState("");
  if (closed) return <p className="muted">{t("console.actions.alreadyClosed")}</p>;
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (window.confirm(t("console.actions.closeSure"))) close.mutate(reason.trim());
      }}
    >
      <h3>{t("console.actions.close")}</h3>
      <p className="muted">{t("console.actions.closeHint")}</p>
      <Field label={t("console.actions.reason")} value={reason} minLength={3} maxLength={500} required onChange={(e) => setReason(e.target.value)} />
      <Button type="submit" variant="danger" busy={close.isPending}>
        {t("console.actions.closeButton")}
      </Button>
      <ErrorNotice error={close.error} />
    </form>
  );
}

/** Item 2's actions; staff never suspend, unsuspend or terminate a service by hand (P-5). */
export function ClientActions({ clientId, currency, closed }: { clientId: string; currency: string; closed: boolean }) {
  const { t } = useTranslation();
  return (
    <Card title={t("console.actions.title")}>
      <div className="action-grid">
        <OrderForm clientId={clientId} />
        <CreditForm clientId={clientId} currency={currency} />
        <CloseForm clientId={clientId} closed={closed} />
      </div>
      <p className="muted small">{t("console.actions.p5")}</p>
    </Card>
  );
}
