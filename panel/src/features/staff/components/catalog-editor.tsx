// The catalog (C-1..C-4) as admins change it: one product at a time, its name, whether it is on sale, the products
// of its kind it may be upgraded to (C-3), and its prices per cycle and currency (C-4, typed in major units).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field, Notice, SelectField } from "@/components/ui";
import { useDeletePrice, useSetPrice, useUpdateProduct, type Currency, type Cycle, type Product } from "@/features/staff/api/catalog";
import { decimalString, parseAmount } from "@/lib/format";

const CURRENCIES: Currency[] = ["USD", "ARS", "UYU", "CLP", "COP", "PEN"];
const L = "console.catalog.product";

function ProductForm({ product, all }: { product: Product; all: Product[] }) {
  const { t } = useTranslation();
  const update = useUpdateProduct();
  const [name, setName] = useState(product.name);
  const [active, setActive] = useState(product.active);
  const [upgrades, setUpgrades] = useState<string[]>(product.upgrade_to);
  const siblings = all.filter((p) => p.kind === product.kind && p.code !== product.code);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ code: product.code, body: { name: name.trim(), active, upgrade_to: upgrades } });
  };
  const toggle = (code: string, on: boolean) => setUpgrades(on ? [...upgrades, code] : upgrades.filter((c) => c !== code));
  return (
    <form className="form" onSubmit={submit} aria-label={t(`${L}.edit`, { name: product.name })}>
      <Field label={t(`${L}.name`)} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <label className="check-row">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        <span>{t(`${L}.visible`)}</span>
      </label>
      <fieldset className="upgrade-paths">
        <legend>{t(`${L}.upgrades`)}</legend>
        {siblings.length === 0 && <p className="summary-note">{t(`${L}.noUpgrades`)}</p>}
        {siblings.map((p) => (
          <label key={p.code} className="check-row">
            <input type="checkbox" checked={upgrades.includes(p.code)} onChange={(e) => toggle(p.code, e.target.checked)} />
            <span>{p.name}</span>
          </label>
        ))}
      </fieldset>
      {update.isSuccess && <Notice tone="ok">{t(`${L}.saved`)}</Notice>}
      <ErrorNotice error={update.error} />
      <Button type="submit" busy={update.isPending}>
        {t(`${L}.save`)}
      </Button>
    </form>
  );
}

/** One price's row: its amount in major units, saved on its own; removed only if no service renews at it. */
function PriceRow({ product, cycle, currency, amountMinor }: { product: Product; cycle: Cycle; currency: Currency; amountMinor: number }) {
  const { t } = useTranslation();
  const save = useSetPrice();
  const remove = useDeletePrice();
  const [amount, setAmount] = useState(decimalString(amountMinor, currency));
  const [invalid, setInvalid] = useState(false);
  const label = t(`${L}.priceFor`, { cycle: t(`cycle.${cycle}`), currency });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minor = parseAmount(amount, currency);
    setInvalid(minor === null);
    if (minor !== null) save.mutate({ code: product.code, cycle, currency, amount_minor: minor });
  };
  return (
    <form className="price-row" onSubmit={submit} aria-label={label}>
      <Field label={label} inputMode="decimal" required value={amount} error={invalid ? t("console.catalog.coupon.invalidAmount", { currency }) : null}
        onChange={(e) => setAmount(e.target.value)} />
      <div className="row-actions">
        <Button type="submit" className="btn-small" busy={save.isPending}>
          {t(`${L}.setPrice`)}
        </Button>
        <Button variant="secondary" className="btn-small" busy={remove.isPending}
          onClick={() => window.confirm(t(`${L}.removeConfirm`, { cycle: t(`cycle.${cycle}`), currency })) && remove.mutate({ code: product.code, cycle, currency })}>
          {t(`${L}.removePrice`)}
        </Button>
      </div>
      {save.isSuccess && <Notice tone="ok">{t(`${L}.priceSaved`)}</Notice>}
      <ErrorNotice error={save.error ?? remove.error} />
    </form>
  );
}

function NewPrice({ product }: { product: Product }) {
  const { t } = useTranslation();
  const save = useSetPrice();
  const [cycle, setCycle] = useState<Cycle>(product.cycles[0] ?? "annual");
  const [currency, setCurrency] = useState<Currency>("USD");
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minor = parseAmount(amount, currency);
    setInvalid(minor === null);
    if (minor !== null) save.mutate({ code: product.code, cycle, currency, amount_minor: minor }, { onSuccess: () => setAmount("") });
  };
  return (
    <form className="price-row" onSubmit={submit} aria-label={t(`${L}.newPrice`)}>
      <div className="filters">
        <SelectField label={t(`${L}.cycle`)} value={cycle} onChange={(e) => setCycle(e.target.value as Cycle)}>
          {product.cycles.map((c) => (
            <option key={c} value={c}>
              {t(`cycle.${c}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t(`${L}.currency`)} value={currency} onChange={(e) => setCurrency(e.target.value as Currency)}>
          {CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </SelectField>
        <Field label={t(`${L}.amount`)} inputMode="decimal" required value={amount} error={invalid ? t("console.catalog.coupon.invalidAmount", { currency }) : null}
          onChange={(e) => setAmount(e.target.value)} />
      </div>
      <ErrorNotice error={save.error} />
      <Button type="submit" className="btn-small" busy={save.isPending}>
        {t(`${L}.setPrice`)}
      </Button>
    </form>
  );
}

export function CatalogEditor({ products }: { products: Product[] }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const product = products.find((p) => p.code === code);
  return (
    <section className="catalog-editor">
      <SelectField label={t("console.catalog.product.choose")} value={code} onChange={(e) => setCode(e.target.value)}>
        <option value="">—</option>
        {products.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </SelectField>
      {product && (
        <div key={product.code}>
          <ProductForm product={product} all={products} />
          <h3>{t(`${L}.prices`)}</h3>
          <p className="summary-note">{t(`${L}.pricesNote`)}</p>
          {product.prices.map((p) => (
            <PriceRow key={`${p.cycle}-${p.currency}`} product={product} cycle={p.cycle} currency={p.currency as Currency} amountMinor={p.amount_minor} />
          ))}
          <NewPrice product={product} />
        </div>
      )}
    </section>
  );
}
