// Money arrives in integer minor units (abono.money); it is shown through Intl without ever becoming a float:
// the decimal string is built from the integer, and Intl formats strings exactly.
import type { Money } from "@/lib/api/client";

// Minor-unit exponents that differ from 2 (as shared/src/abono/money.py knows them).
const EXPONENTS: Record<string, number> = { CLP: 0, PYG: 0, JPY: 0, CRC: 2, BOB: 2 };

export function exponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export function decimalString(amountMinor: number, currency: string): string {
  const digits = exponent(currency);
  const negative = amountMinor < 0;
  const text = Math.abs(amountMinor).toString().padStart(digits + 1, "0");
  const body = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return negative ? `-${body}` : body;
}

export function formatMoney(money: Money, locale: string): string {
  const digits = exponent(money.currency);
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // Intl formats decimal strings exactly (ES2023); the cast is for lib typings that only list number | bigint.
  return format.format(decimalString(money.amount_minor, money.currency) as unknown as number);
}

/** A typed amount ("1234,50") as minor units, or null when it is not a valid amount in `currency`. */
export function parseAmount(text: string, currency: string): number | null {
  const digits = exponent(currency);
  const cleaned = text.trim().replace(/\s/g, "").replace(",", ".");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** A date (`2026-12-03`) or instant, in the page's language; plain dates are not shifted by time zones. */
export function formatDate(value: string | null | undefined, locale: string): string {
  if (!value) return "—";
  const plain = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(plain ? `${value}T12:00:00` : value);
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric" }).format(date);
}

export function formatDateTime(value: string | null | undefined, locale: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

/** Whole days from today to a plain date (negative when past). */
export function daysUntil(date: string, today = new Date()): number {
  const target = new Date(`${date}T00:00:00`);
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((target.getTime() - start.getTime()) / 86_400_000);
}
