// S-6 from the desk: the ticket's quotes and a new one (lines from the catalog, ordered as services when accepted, or
// free lines: description, quantity, unit price; a currency and a validity). The client is notified (QuoteAvailable) and accepts it in its panel, which orders and invoices.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Amount, Button, Card, ErrorNotice, Field, Notice, SelectField } from "@/components/ui";
import { decimalString, parseAmount } from "@/lib/format";

import { useCatalogProducts, useCreateQuote, useTicketQuotes, type QuoteCreate } from "../api/desk";
import { SupportBadge, TextArea } from "./parts";

const CURRENCIES: QuoteCreate["currency"][] = ["USD", "ARS", "UYU", "COP", "CLP", "PEN", "MXN", "EUR"];
/** `catalog`: "<product code>|<cycle>" for a catalog line, "" for a free one. */
type Line = { description: string; quantity: string; price: string; catalog: string };
const EMPTY: Line = { description: "", quantity: "1", price: "", catalog: "" };

export function DeskQuotes({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const quotes = useTicketQuotes(ticketId);
  const catalog = useCatalogProducts();
  const create = useCreateQuote(ticketId);
  const [title, setTitle] = useState("");
  const [currency, setCurrency] = useState<QuoteCreate["currency"]>("USD");
  const [validUntil, setValidUntil] = useState("");
  const [message, setMessage] = useState("");
  const [lines, setLines] = useState<Line[]>([{ ...EMPTY }]);
  const parsed = lines.map((l) => ({ ...l, minor: parseAmount(l.price, currency), qty: Number(l.quantity) }));
  const valid = title.trim() && parsed.every((l) => l.description.trim() && l.minor !== null && Number.isInteger(l.qty) && l.qty >= 1);
  const edit = (index: number, change: Partial<Line>) => setLines(lines.map((l, i) => (i === index ? { ...l, ...change } : l)));
  // The catalog's prices in the quote's currency, one choice per product and cycle.
  const offers = (catalog.data ?? []).flatMap((p) =>
    p.prices.filter((price) => price.currency === currency).map((price) => ({ key: `${p.code}|${price.cycle}`, product: p, price })),
  );
  const pick = (index: number, key: string) => {
    const offer = offers.find((o) => o.key === key);
    edit(
      index,
      offer
        ? { catalog: key, description: `${offer.product.name} (${t(`cycle.${offer.price.cycle}`)})`, price: decimalString(offer.price.amount_minor, currency) }
        : { catalog: "" },
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    create.mutate(
      {
        title: title.trim(),
        currency,
        valid_until: validUntil || undefined,
        message: message.trim() || undefined,
        lines: parsed.map((l) => {
          const [product_code, cycle] = l.catalog ? l.catalog.split("|") : [undefined, undefined];
          return { description: l.description.trim(), quantity: l.qty, unit_price_minor: l.minor ?? 0, product_code, cycle };
        }),
      },
      {
        onSuccess: () => {
          setTitle("");
          setMessage("");
          setValidUntil("");
          setLines([{ ...EMPTY }]);
        },
      },
    );
  };
  return (
    <Card title={t("support.desk.quotes")}>
      {(quotes.data ?? []).length === 0 ? (
        <p className="muted">{t("support.desk.noQuotes")}</p>
      ) : (
        <ul className="plain-list">
          {(quotes.data ?? []).map((q) => (
            <li key={q.id} data-testid="desk-quote">
              <p className="row-title">
                {q.number} · {q.title} <SupportBadge group="quoteStatuses" status={q.status} />
              </p>
              <p className="row-sub">
                <Amount value={q.total} />
              </p>
            </li>
          ))}
        </ul>
      )}
      <details className="catalog-details">
        <summary>{t("support.desk.newQuote")}</summary>
        <form className="form" onSubmit={submit}>
          <Field label={t("support.desk.quoteTitle")} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
          <div className="inline-form">
            <SelectField
              label={t("support.desk.currency")}
              value={currency}
              onChange={(e) => {
                setCurrency(e.target.value as QuoteCreate["currency"]);
                setLines(lines.map((l) => ({ ...l, catalog: "" }))); // a catalog price is in one currency
              }}
            >
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </SelectField>
            <Field label={t("support.desk.validUntil")} type="date" value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
          </div>
          {lines.map((line, index) => (
            <fieldset key={index} className="quote-line">
              <legend>{t("support.desk.line", { n: index + 1 })}</legend>
              <SelectField label={t("support.desk.fromCatalog")} value={line.catalog} onChange={(e) => pick(index, e.target.value)}>
                <option value="">{t("support.desk.freeLine")}</option>
                {offers.map((o) => (
                  <option key={o.key} value={o.key}>
                    {o.product.name} · {t(`cycle.${o.price.cycle}`)}
                  </option>
                ))}
              </SelectField>
              <Field label={t("support.desk.description")} required maxLength={200} value={line.description} onChange={(e) => edit(index, { description: e.target.value })} />
              <Field label={t("support.desk.quantity")} type="number" min={1} step={1} required value={line.quantity} onChange={(e) => edit(index, { quantity: e.target.value })} />
              <Field label={t("support.desk.unitPrice")} inputMode="decimal" required value={line.price} onChange={(e) => edit(index, { price: e.target.value })} />
              {lines.length > 1 && (
                <Button variant="ghost" className="btn-small" onClick={() => setLines(lines.filter((_, i) => i !== index))}>
                  {t("support.desk.removeLine")}
                </Button>
              )}
            </fieldset>
          ))}
          <div className="inline-actions">
            <Button variant="secondary" className="btn-small" onClick={() => setLines([...lines, { ...EMPTY }])}>
              {t("support.desk.addLine")}
            </Button>
          </div>
          <TextArea label={t("support.desk.quoteMessage")} rows={3} maxLength={20000} value={message} onChange={(e) => setMessage(e.target.value)} />
          {create.isSuccess && <Notice tone="ok">{t("support.desk.quoteSent", { number: create.data.number })}</Notice>}
          <ErrorNotice error={create.error} />
          <div className="inline-actions">
            <Button type="submit" busy={create.isPending} disabled={!valid}>
              {t("support.desk.sendQuote")}
            </Button>
          </div>
        </form>
      </details>
    </Card>
  );
}
