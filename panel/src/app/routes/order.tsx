import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";

import { Amount, Button, Card, EmptyState, ErrorNotice, Field, Notice, PageHeader, Spinner } from "@/components/ui";
import { useBillingProfile, useCatalog, usePlaceOrder, usePreview } from "@/features/order/api";
import { byKind, DOMAIN_OPTIONAL, DOMAIN_REQUIRED, fromMonthly, isDomain } from "@/features/order/components/catalog";
import { LineItems, Totals } from "@/features/order/components/price-summary";
import { DomainSearch } from "@/features/domains/components/search";
import type { Cycle, Money, OrderRequest, ProductKind } from "@/lib/api/client";

export default function OrderRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const catalog = useCatalog();
  const profile = useBillingProfile();
  const currency = (profile.data?.currency ?? "USD") as Money["currency"];
  const groups = useMemo(() => byKind(catalog.data ?? [], currency), [catalog.data, currency]);
  const kinds = [...groups.keys()];
  const kind = (params.get("kind") as ProductKind | null) ?? kinds[0];
  const products = kind ? (groups.get(kind) ?? []) : [];
  const [code, setCode] = useState<string | null>(params.get("product"));
  const product = products.find((p) => p.code === code) ?? null;
  const [cycle, setCycle] = useState<Cycle | null>(null);
  const [quantity, setQuantity] = useState(1);
  const [domain, setDomain] = useState("");
  const [couponInput, setCouponInput] = useState("");
  const [coupon, setCoupon] = useState<string | null>(null);
  const preview = usePreview();
  const place = usePlaceOrder();

  const prices = product?.prices.filter((p) => p.currency === currency && product.cycles.includes(p.cycle)) ?? [];
  const needsDomain = product ? DOMAIN_REQUIRED.has(product.kind) : false;
  const asksDomain = product ? needsDomain || DOMAIN_OPTIONAL.has(product.kind) : false;
  const domainError = domain && !isDomain(domain) ? t("order.domainInvalid") : null;
  const ready = product && cycle && quantity >= 1 && (!needsDomain || (domain && !domainError));
  const order: OrderRequest | null = ready
    ? { items: [{ product_code: product.code, cycle, quantity, domain: asksDomain && domain ? domain.trim().toLowerCase() : null }], coupon }
    : null;
  const orderKey = JSON.stringify(order);

  useEffect(() => {
    if (product && (!cycle || !prices.some((p) => p.cycle === cycle))) setCycle(prices[prices.length - 1]?.cycle ?? null);
  }, [product, cycle, prices]);

  const { mutate: runPreview } = preview;
  useEffect(() => {
    if (!orderKey || orderKey === "null") return;
    const timer = setTimeout(() => runPreview(JSON.parse(orderKey) as OrderRequest), 250);
    return () => clearTimeout(timer);
  }, [orderKey, runPreview]);

  const pick = (k: ProductKind) => {
    setParams({ kind: k }, { replace: true });
    setCode(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (order) place.mutate(order, { onSuccess: (placed) => navigate(`/invoices/${placed.invoice_id}?new=1`) });
  };

  if (catalog.isPending || profile.isPending) return <Spinner />;
  if (catalog.isError || profile.isError) return <ErrorNotice error={catalog.error ?? profile.error} />;
  return (
    <>
      <PageHeader title={t("order.title")} subtitle={t("order.lead", { currency })} />
      {kinds.length === 0 ? (
        <EmptyState title={t("order.nothing")} />
      ) : kind === "domain" ? (
        // D-1: a domain is searched by name, priced per TLD and ordered one name at a time.
        <div className="form">
          <Card title={t("order.step1")}>
            <KindTabs kinds={kinds} kind={kind} onPick={pick} />
          </Card>
          <DomainSearch currency={currency} />
        </div>
      ) : (
        <form className="grid-main" onSubmit={submit}>
          <div className="form">
            <Card title={t("order.step1")}>
              <KindTabs kinds={kinds} kind={kind} onPick={pick} />
              <fieldset>
                <legend>{t("order.product")}</legend>
                <div className="product-grid">
                  {products.map((p) => {
                    const from = fromMonthly(p, currency);
                    return (
                      <label key={p.code} className="choice product">
                        <input type="radio" name="product" value={p.code} checked={p.code === code} onChange={() => setCode(p.code)} />
                        <span className="choice-title">{p.name}</span>
                        {p.description && <span className="choice-sub">{p.description}</span>}
                        {from !== null && (
                          <span className="price-from">
                            {t("order.from")} <Amount value={{ amount_minor: from, currency }} /> {t("order.perMonth")}
                          </span>
                        )}
                        {p.activation === "manual" && <span className="choice-sub">{t("order.manualActivation")}</span>}
                      </label>
                    );
                  })}
                </div>
              </fieldset>
            </Card>
            {product && (
              <Card title={t("order.step2", { name: product.name })}>
                <fieldset>
                  <legend>{t("fields.cycle")}</legend>
                  <div className="choices">
                    {prices.map((price) => (
                      <label key={price.cycle} className="choice">
                        <input type="radio" name="cycle" value={price.cycle} checked={price.cycle === cycle} onChange={() => setCycle(price.cycle)} />
                        <span className="choice-title">{t(`cycle.${price.cycle}`)}</span>
                        <Amount className="choice-sub" value={{ amount_minor: price.amount_minor, currency }} />
                      </label>
                    ))}
                  </div>
                </fieldset>
                <div className="form-row">
                  <Field
                    label={t("fields.quantity")}
                    type="number"
                    min={1}
                    max={50}
                    inputMode="numeric"
                    value={quantity}
                    onChange={(e) => setQuantity(Math.max(1, Math.min(50, Number(e.target.value) || 1)))}
                    hint={t("order.bundleHint")}
                  />
                  {asksDomain && (
                    <Field
                      label={needsDomain ? t("fields.domain") : t("order.domainOptional")}
                      name="domain"
                      placeholder="midominio.com.ar"
                      autoCapitalize="none"
                      spellCheck={false}
                      required={needsDomain}
                      value={domain}
                      onChange={(e) => setDomain(e.target.value)}
                      error={domainError}
                      hint={product.kind === "domain" ? t("order.domainRegisterHint") : t("order.domainHint")}
                    />
                  )}
                </div>
                <div className="inline-actions" style={{ alignItems: "flex-end" }}>
                  <Field
                    className="grow"
                    label={t("fields.coupon")}
                    name="coupon"
                    autoCapitalize="characters"
                    value={couponInput}
                    onChange={(e) => setCouponInput(e.target.value.toUpperCase())}
                  />
                  <Button variant="secondary" onClick={() => setCoupon(couponInput.trim() || null)} disabled={!couponInput.trim()}>
                    {t("order.applyCoupon")}
                  </Button>
                  {coupon && (
                    <Button
                      variant="ghost"
                      onClick={() => {
                        setCoupon(null);
                        setCouponInput("");
                      }}
                    >
                      {t("order.removeCoupon")}
                    </Button>
                  )}
                </div>
              </Card>
            )}
          </div>
          <aside className="sticky">
            <Card title={t("order.summary")}>
              {!order ? (
                <p className="muted">{product ? t("order.completeFields") : t("order.pickProduct")}</p>
              ) : preview.isError ? (
                <ErrorNotice error={preview.error} />
              ) : !preview.data ? (
                <Spinner label={t("order.calculating")} />
              ) : (
                <div aria-live="polite" className="summary" data-testid="order-preview">
                  <LineItems lines={preview.data.lines} />
                  <Totals subtotal={preview.data.subtotal} discount={preview.data.discount} total={preview.data.total} />
                  {preview.data.credit_available.amount_minor > 0 && (
                    <Notice tone="ok">
                      {t("order.creditNote")} <Amount value={preview.data.credit_available} />
                    </Notice>
                  )}
                  <p className="summary-note">{t("order.invoiceNote")}</p>
                </div>
              )}
              <ErrorNotice error={place.error} />
              <Button type="submit" className="btn-block" busy={place.isPending} disabled={!order || !preview.data || preview.isError || preview.isPending}>
                {t("order.confirm")}
              </Button>
            </Card>
          </aside>
        </form>
      )}
    </>
  );
}

function KindTabs({ kinds, kind, onPick }: { kinds: ProductKind[]; kind: ProductKind | undefined; onPick: (kind: ProductKind) => void }) {
  const { t } = useTranslation();
  return (
    <div className="tabs" role="group" aria-label={t("order.kind")}>
      {kinds.map((k) => (
        <button key={k} type="button" className="tab" aria-pressed={k === kind} onClick={() => onPick(k)}>
          {t(`kind.${k}`)}
        </button>
      ))}
    </div>
  );
}
