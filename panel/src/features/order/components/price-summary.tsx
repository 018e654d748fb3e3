import { useTranslation } from "react-i18next";

import { Amount } from "@/components/ui";
import type { DiscountLine, Money, PreviewLine } from "@/lib/api/client";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

type Line = Pick<PreviewLine, "description" | "quantity" | "gross" | "discounts" | "amount" | "period_start_on" | "period_end_on"> & {
  cycle?: string | null;
};

/** A service line in the page's language: "Hosting Básico · Semestral · 1 mar 2028 → 1 sept 2028". */
function useDescribe(): (line: Line) => string {
  const { t } = useTranslation();
  return (line) => {
    if (!line.cycle || !line.period_start_on || !line.period_end_on) return line.description;
    const name = line.description.split(" · ")[0] ?? line.description;
    const period = `${formatDate(line.period_start_on, locale())} → ${formatDate(line.period_end_on, locale())}`;
    return `${name} · ${t(`cycle.${line.cycle}`, { defaultValue: line.cycle })} · ${period}`;
  };
}

/** One discount as a person understands it, in the page's language (B-12, B-13). */
export function DiscountLabel({ discount }: { discount: DiscountLine }) {
  const { t, i18n } = useTranslation();
  const key = `order.discount.${discount.rule}`;
  const percent = discount.percent ? String(Number(discount.percent)) : "";
  const code = discount.rule === "coupon" ? discount.label.replace(/^Cupón\s+/, "") : "";
  const cycle = discount.rule === "cycle" ? t(`cycle.${discount.label.replace(/^Pago\s+/, "")}`, { defaultValue: "" }) : "";
  const text = i18n.exists(key) ? t(key, { percent, code, cycle, label: discount.label }) : discount.label;
  return <>{percent && discount.rule !== "bundle" && discount.rule !== "two_for_one" ? `${text} (−${percent}%)` : text}</>;
}

export function LineItems({ lines }: { lines: Line[] }) {
  const { t } = useTranslation();
  const describe = useDescribe();
  return (
    <div className="summary">
      {lines.map((line, index) => (
        <div className="line-item" key={index}>
          <div className="summary-line">
            <span>
              <strong>{describe(line)}</strong>
              {line.quantity > 1 && <span className="muted"> × {line.quantity}</span>}
            </span>
            <Amount value={line.gross} />
          </div>
          {line.discounts.map((discount, i) => (
            <div className="summary-line discount" key={i}>
              <span>
                <DiscountLabel discount={discount} />
              </span>
              <span className="amount">−<Amount value={discount.amount} /></span>
            </div>
          ))}
          {line.discounts.length > 0 && (
            <div className="summary-line">
              <span className="muted">{t("order.lineTotal")}</span>
              <Amount value={line.amount} />
            </div>
          )}
        </div>
      ))}
    </div>
  );
}

export function Totals({ subtotal, discount, credit, total, creditLabel }: { subtotal: Money; discount: Money; credit?: Money; total: Money; creditLabel?: string }) {
  const { t } = useTranslation();
  return (
    <div className="summary">
      <div className="summary-line">
        <span>{t("order.subtotal")}</span>
        <Amount value={subtotal} />
      </div>
      {discount.amount_minor > 0 && (
        <div className="summary-line discount">
          <span>{t("order.discounts")}</span>
          <span className="amount">−<Amount value={discount} /></span>
        </div>
      )}
      {credit && credit.amount_minor > 0 && (
        <div className="summary-line discount">
          <span>{creditLabel ?? t("order.creditApplied")}</span>
          <span className="amount">−<Amount value={credit} /></span>
        </div>
      )}
      <div className="summary-line total">
        <span>{t("order.total")}</span>
        <Amount value={total} />
      </div>
    </div>
  );
}
