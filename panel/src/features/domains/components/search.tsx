// D-1: a name's availability and price under every TLD the provider sells in the client's currency, with the
// registrar's suggestions; choosing one asks for the registrant data once (P-2) and orders it (one line, one name).
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { Button, Card, ErrorNotice, Field, SelectField, Spinner } from "@/components/ui";
import type { Money } from "@/lib/api/client";
import { formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { priceOf, useDomainSearch, useOrderDomain, useRegistrant, useTlds, type SearchResult, type Tld } from "../api";
import { RegistrantForm } from "./registrant";
import "../domains.css";

function label(text: string): string {
  return text.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/^www\./, "").split(".")[0] ?? "";
}

function tldOf(name: string, tlds: Tld[]): Tld | undefined {
  return [...tlds].sort((a, b) => b.tld.length - a.tld.length).find((t) => name.endsWith(`.${t.tld}`));
}

type Operation = "register" | "transfer";

function Order({ name, tld, currency, operation }: { name: string; tld: Tld; currency: Money["currency"]; operation: Operation }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const registrant = useRegistrant();
  const order = useOrderDomain();
  const [editing, setEditing] = useState(false);
  const prices = tld.prices.filter((p) => p.currency === currency).sort((a, b) => a.years - b.years);
  const [cycle, setCycle] = useState(prices[0]?.cycle);
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => top.current?.scrollIntoView({ block: "start" }), []);
  if (registrant.isPending) return <Spinner />;
  const ready = registrant.data && !editing;
  return (
    <div ref={top}>
    <Card title={t(operation === "transfer" ? "domains.transferTitle" : "domains.orderTitle", { name })} className="domain-order">
      <div className="form">
        <SelectField label={t("domains.years")} value={cycle} onChange={(e) => setCycle(e.target.value as typeof cycle)}>
          {prices.map((p) => (
            <option key={p.cycle} value={p.cycle}>
              {t("domains.yearsOption", { count: p.years, price: money(operation === "transfer" ? p.transfer_minor : p.register_minor, currency) })}
            </option>
          ))}
        </SelectField>
        <h3>{t("domains.registrantTitle")}</h3>
        {ready ? (
          <p>
            {t("domains.registrantReady", { name: registrant.data?.name, email: registrant.data?.email })}{" "}
            <button type="button" className="linklike" onClick={() => setEditing(true)}>
              {t("domains.editRegistrant")}
            </button>
          </p>
        ) : (
          <RegistrantForm initial={registrant.data ?? null} onSaved={() => setEditing(false)} />
        )}
        <p className="summary-note">{t(operation === "transfer" ? "domains.transferNote" : "domains.orderNote")}</p>
        <ErrorNotice error={order.error} />
        <Button
          disabled={!ready || !cycle}
          busy={order.isPending}
          onClick={() =>
            cycle &&
            order.mutate(
              { productCode: tld.product_code, cycle, name, transfer: operation === "transfer" },
              { onSuccess: (placed) => navigate(`/invoices/${placed.invoice_id}?new=1`) },
            )
          }
        >
          {t("domains.orderButton")}
        </Button>
      </div>
    </Card>
    </div>
  );
}

function money(amountMinor: number, currency: Money["currency"]): string {
  return formatMoney({ amount_minor: amountMinor, currency }, locale());
}

function Row({ result, tlds, currency, onChoose }: { result: SearchResult; tlds: Tld[]; currency: Money["currency"]; onChoose: (name: string, tld: Tld, operation: Operation) => void }) {
  const { t } = useTranslation();
  const tld = tldOf(result.name, tlds);
  const price = priceOf(tld, currency);
  const state = result.available === true ? "available" : result.available === false ? "taken" : "unknown";
  return (
    <li className="domain-result" data-testid="domain-result" data-available={state}>
      <div>
        <p className="row-title">{result.name}</p>
        <span className={`badge badge-${state === "available" ? "ok" : state === "taken" ? "muted" : "warn"}`}>{t(`domains.${state}`)}</span>
      </div>
      <div className="domain-price">
        {price ? (
          <>
            <span className="amount">{t("domains.perYear", { price: money(price.register_minor, currency) })}</span>
            <span className="row-sub">{t("domains.renewsAt", { price: money(price.renew_minor, currency) })}</span>
            {state === "taken" && tld?.transfers && <span className="row-sub">{t("domains.transferAt", { price: money(price.transfer_minor, currency) })}</span>}
          </>
        ) : (
          <span className="row-sub">{t("domains.notSold")}</span>
        )}
      </div>
      {state === "available" && tld && price && (
        <Button variant="secondary" className="btn-small" aria-label={t("domains.register", { name: result.name })} onClick={() => onChoose(result.name, tld, "register")}>
          {t("domains.choose")}
        </Button>
      )}
      {state === "taken" && tld && price && tld.transfers && (
        <Button variant="ghost" className="btn-small" aria-label={t("domains.transfer", { name: result.name })} onClick={() => onChoose(result.name, tld, "transfer")}>
          {t("domains.transferChoose")}
        </Button>
      )}
    </li>
  );
}

export function DomainSearch({ currency }: { currency: Money["currency"] }) {
  const { t } = useTranslation();
  const tlds = useTlds();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<{ name: string; tld: Tld; operation: Operation } | null>(null);
  const sold = (tlds.data ?? []).filter((x) => priceOf(x, currency));
  const search = useDomainSearch(query, sold.map((x) => x.tld));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChosen(null);
    setQuery(label(text));
  };
  const choose = (name: string, tld: Tld, operation: Operation) => setChosen({ name, tld, operation });
  return (
    <>
      <Card title={t("domains.search")}>
        <form className="inline-actions domain-search" onSubmit={submit} role="search">
          <Field className="grow" label={t("domains.name")} hint={t("domains.nameHint")} autoCapitalize="none" spellCheck={false} maxLength={100} value={text} onChange={(e) => setText(e.target.value)} />
          <Button type="submit" disabled={!label(text)}>
            {t("domains.searchButton")}
          </Button>
        </form>
        {tlds.isError && <ErrorNotice error={tlds.error} />}
        {query &&
          (search.isPending ? (
            <Spinner label={t("domains.searching")} />
          ) : search.isError ? (
            <ErrorNotice error={search.error} />
          ) : (
            <div aria-live="polite">
              <h3>{t("domains.results", { q: query })}</h3>
              <ul className="domain-results">
                {search.data.results.map((r) => (
                  <Row key={r.name} result={r} tlds={sold} currency={currency} onChoose={choose} />
                ))}
              </ul>
              {search.data.suggestions.length > 0 && (
                <>
                  <h3>{t("domains.suggestions")}</h3>
                  <ul className="domain-results">
                    {search.data.suggestions.map((r) => (
                      <Row key={r.name} result={r} tlds={sold} currency={currency} onChoose={choose} />
                    ))}
                  </ul>
                </>
              )}
            </div>
          ))}
      </Card>
      {chosen && <Order key={`${chosen.operation}:${chosen.name}`} name={chosen.name} tld={chosen.tld} currency={currency} operation={chosen.operation} />}
    </>
  );
}
