import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Money } from "@/lib/api/client";
import { decimalString, formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

import type { MonthlyFigure } from "../api";

const W = 720;
const H = 260;
const PAD = { top: 16, right: 12, bottom: 36, left: 72 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}

function compact(minor: number, currency: string): string {
  const value = Number(decimalString(minor, currency));
  return new Intl.NumberFormat(locale(), { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(value);
}

function monthLabel(month: string): string {
  const [year = 2000, m = 1] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { month: "short" }).format(new Date(year, m - 1, 15));
}

/** Item 6: invoiced and collected per month for one currency at a time, drawn as an inline SVG bar chart. */
export function RevenueChart({ figures }: { figures: MonthlyFigure[] }) {
  const { t } = useTranslation();
  const id = useId();
  const currencies = [...new Set(figures.map((f) => f.currency))];
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = (chosen && currencies.includes(chosen) ? chosen : currencies[0]) as Money["currency"] | undefined;
  if (!currency) return <p className="muted">{t("console.home.noFigures")}</p>;
  const rows = figures.filter((f) => f.currency === currency);
  const max = niceMax(Math.max(...rows.map((r) => Math.max(r.invoiced.amount_minor, r.collected.amount_minor))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / rows.length;
  const bar = Math.max(4, slot * 0.32);
  const y = (minor: number) => PAD.top + plotH - (minor / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(max * f));
  const totalInvoiced = rows.reduce((sum, r) => sum + r.invoiced.amount_minor, 0);
  const totalCollected = rows.reduce((sum, r) => sum + r.collected.amount_minor, 0);
  return (
    <figure className="chart">
      {currencies.length > 1 && (
        <div className="lang-switch chart-currencies" role="group" aria-label={t("console.home.currency")}>
          {currencies.map((c) => (
            <button key={c} type="button" className={c === currency ? "active" : ""} aria-pressed={c === currency} onClick={() => setChosen(c)}>
              {c}
            </button>
          ))}
        </div>
      )}
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="chart-svg" data-testid="revenue-chart">
        <title id={`${id}-title`}>{t("console.home.chartTitle", { currency })}</title>
        <desc id={`${id}-desc`}>
          {t("console.home.chartDesc", {
            invoiced: formatMoney({ amount_minor: totalInvoiced, currency }, locale()),
            collected: formatMoney({ amount_minor: totalCollected, currency }, locale()),
          })}
        </desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
            <text x={PAD.left - 8} y={y(tick) + 4} textAnchor="end" className="chart-axis">
              {compact(tick, currency)}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const x = PAD.left + i * slot + slot / 2;
          return (
            <g key={r.month}>
              <rect x={x - bar - 1} y={y(r.invoiced.amount_minor)} width={bar} height={plotH + PAD.top - y(r.invoiced.amount_minor)} className="chart-invoiced" rx={2}>
                <title>{`${r.month} · ${t("console.home.invoiced")}: ${formatMoney(r.invoiced, locale())}`}</title>
              </rect>
              <rect x={x + 1} y={y(r.collected.amount_minor)} width={bar} height={plotH + PAD.top - y(r.collected.amount_minor)} className="chart-collected" rx={2}>
                <title>{`${r.month} · ${t("console.home.collected")}: ${formatMoney(r.collected, locale())}`}</title>
              </rect>
              <text x={x} y={H - PAD.bottom + 18} textAnchor="middle" className="chart-axis">
                {monthLabel(r.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        <span>
          <span className="swatch chart-invoiced" aria-hidden="true" /> {t("console.home.invoiced")}: {formatMoney({ amount_minor: totalInvoiced, currency }, locale())}
        </span>
        <span>
          <span className="swatch chart-collected" aria-hidden="true" /> {t("console.home.collected")}: {formatMoney({ amount_minor: totalCollected, currency }, locale())}
        </span>
      </figcaption>
    </figure>
  );
}
