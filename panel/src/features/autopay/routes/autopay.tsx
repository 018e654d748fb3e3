// /autopay (B-21, issue #15 item 2): save a card or an account at the provider's page the client chooses among those
// its country and currency allow (Stripe: a SetupIntent; PayPal: its vault's agreement page), see the saved ones,
// turn automatic payment on with one, or off in one click (a PayPal agreement is cancelled at PayPal too); the
// latest automatic charges. The provider sends the browser back here with `?method=<id>`: confirmed with billing.
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Amount, Button, Card, EmptyState, ErrorNotice, Notice, PageHeader, Spinner } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import {
  useAutopay,
  useConfirmMethod,
  useDisableAutopay,
  useEnableAutopay,
  useRemoveMethod,
  useSaveMethod,
  useSavedMethods,
  type Autopay,
  type SavedMethod,
} from "../api";

const PROVIDER_NAMES: Record<string, string> = { stripe: "Stripe", mercadopago: "MercadoPago", paypal: "PayPal" };

function providerName(id: string): string {
  return PROVIDER_NAMES[id] ?? id;
}

/** A message worded for the provider's kind of method (a card, a PayPal account), the card's wording otherwise. */
function useByProvider() {
  const { t } = useTranslation();
  return (key: "add" | "addHint" | "saved" | "useThis" | "stopped", provider: string, values: Record<string, string> = {}) =>
    t(`autopay.byProvider.${provider}.${key}`, { ...values, defaultValue: t(`autopay.${key}`, values) });
}

/** Back from the provider's page (`?method=<id>`): confirm the method once, then clean the address. */
function useReturnFromProvider() {
  const [params, setParams] = useSearchParams();
  const confirm = useConfirmMethod();
  const asked = useRef(false);
  const methodId = params.get("method");
  useEffect(() => {
    if (!methodId || asked.current) return;
    asked.current = true;
    confirm.mutate(methodId, { onSettled: () => setParams({}, { replace: true }) });
  }, [methodId, confirm, setParams]);
  return confirm;
}

function Status({ state }: { state: Autopay }) {
  const { t } = useTranslation();
  const byProvider = useByProvider();
  const disable = useDisableAutopay();
  const stoppedWith = useRef<string>("");
  const retries = state.retry_days.length ? t("autopay.retries", { days: state.retry_days.join(", ") }) : t("autopay.noRetries");
  if (!state.enabled || !state.method) {
    return (
      <Card title={t("autopay.off")}>
        {disable.isSuccess && <Notice tone="ok">{byProvider("stopped", stoppedWith.current)}</Notice>}
        <p className="muted">{t("autopay.offLead")}</p>
      </Card>
    );
  }
  return (
    <Card title={t("autopay.on")}>
      <p data-testid="autopay-method">{t("autopay.onWith", { method: state.method.label })}</p>
      <p className="muted">{t("autopay.when", { count: state.days_before, retries })}</p>
      <ErrorNotice error={disable.error} />
      <Button
        variant="secondary"
        busy={disable.isPending}
        onClick={() => {
          stoppedWith.current = state.method?.provider ?? "";
          disable.mutate();
        }}
      >
        {t("autopay.stop")}
      </Button>
    </Card>
  );
}

function Methods({ methods, state }: { methods: SavedMethod[]; state: Autopay }) {
  const { t } = useTranslation();
  const enable = useEnableAutopay();
  const remove = useRemoveMethod();
  const save = useSaveMethod();
  const byProvider = useByProvider();
  const add = (provider: string) =>
    save.mutate(provider, {
      onSuccess: (method) => {
        if (method.redirect_url) window.location.assign(method.redirect_url);
      },
    });
  return (
    <Card title={t("autopay.methods")}>
      {enable.isSuccess && <Notice tone="ok">{t("autopay.started")}</Notice>}
      {remove.isSuccess && <Notice tone="ok">{t("autopay.removed")}</Notice>}
      <ErrorNotice error={enable.error ?? remove.error ?? save.error} />
      {methods.length === 0 ? (
        <EmptyState title={t("autopay.noMethods")} />
      ) : (
        <ul className="plain-list">
          {methods.map((m) => {
            const inUse = state.enabled && state.method?.id === m.id;
            return (
              <li key={m.id} data-testid="saved-method" className="inline-actions">
                <strong>{m.label}</strong>
                <span className="muted">{providerName(m.provider)}</span>
                {inUse ? (
                  <span className="badge badge-ok">{t("autopay.inUse")}</span>
                ) : (
                  <Button busy={enable.isPending} onClick={() => enable.mutate(m.id)}>
                    {byProvider("useThis", m.provider)}
                  </Button>
                )}
                <Button variant="secondary" busy={remove.isPending} onClick={() => remove.mutate(m.id)}>
                  {t("autopay.remove", { label: m.label })}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      {state.providers.length > 0 ? (
        state.providers.map((provider) => (
          <div className="form" key={provider} data-testid={`add-${provider}`}>
            <p className="muted">{byProvider("addHint", provider, { provider: providerName(provider) })}</p>
            <Button busy={save.isPending && save.variables === provider} disabled={save.isPending || save.isSuccess} onClick={() => add(provider)}>
              {save.isSuccess && save.variables === provider
                ? t("autopay.adding", { provider: providerName(provider) })
                : byProvider("add", provider)}
            </Button>
          </div>
        ))
      ) : (
        <Notice tone="warn">{t("autopay.noProviders")}</Notice>
      )}
    </Card>
  );
}

function History({ state }: { state: Autopay }) {
  const { t } = useTranslation();
  if (state.charges.length === 0) return null;
  return (
    <Card title={t("autopay.history")}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("autopay.date")}</th>
            <th scope="col">{t("autopay.invoice")}</th>
            <th scope="col">{t("autopay.attempt")}</th>
            <th scope="col">{t("autopay.state")}</th>
            <th scope="col" className="num">
              {t("autopay.amount")}
            </th>
          </tr>
        </thead>
        <tbody>
          {state.charges.map((c) => (
            <tr key={`${c.invoice_id}-${c.attempt}`} data-testid="autopay-charge">
              <td>{formatDate(c.scheduled_on, locale())}</td>
              <td>
                <Link to={`/invoices/${c.invoice_id}`}>{t("autopay.invoice")}</Link>
              </td>
              <td>{t("autopay.attemptOf", { attempt: c.attempt, planned: c.attempts_planned })}</td>
              <td data-status={c.status}>{t(`autopay.status.${c.status}`, { defaultValue: c.status })}</td>
              <td className="num">
                <Amount value={c.amount} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

export default function AutopayRoute() {
  const { t } = useTranslation();
  const byProvider = useByProvider();
  const returned = useReturnFromProvider();
  const state = useAutopay();
  const methods = useSavedMethods();
  const confirmed = returned.data;
  return (
    <>
      <PageHeader title={t("autopay.title")} subtitle={t("autopay.lead")} />
      {returned.isPending && <Spinner label={t("autopay.confirming")} />}
      {confirmed?.status === "active" && (
        <Notice tone="ok">{byProvider("saved", confirmed.provider, { label: confirmed.label })}</Notice>
      )}
      {confirmed && confirmed.status !== "active" && <Notice tone="warn">{t("autopay.notSaved")}</Notice>}
      <ErrorNotice error={returned.error ?? state.error ?? methods.error} />
      {state.data && methods.data ? (
        <>
          <Status state={state.data} />
          <Methods methods={methods.data} state={state.data} />
          <History state={state.data} />
        </>
      ) : (
        !state.error && <Spinner />
      )}
    </>
  );
}
