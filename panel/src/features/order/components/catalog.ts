import type { Product, ProductKind } from "@/lib/api/client";

// Kinds whose service lives at a domain: the order asks for it (required for hosting and domains).
export const DOMAIN_REQUIRED: ReadonlySet<ProductKind> = new Set(["domain", "shared_hosting", "reseller_hosting"]);
export const DOMAIN_OPTIONAL: ReadonlySet<ProductKind> = new Set(["web_builder", "news_portal", "email_marketing"]);
const DOMAIN = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function isDomain(value: string): boolean {
  return DOMAIN.test(value.trim());
}

// The kinds clients order most come first (the manual's "los servicios más facturados").
const KIND_ORDER: ProductKind[] = ["shared_hosting", "domain", "reseller_hosting", "vps", "web_builder", "audio_streaming",
  "video_streaming", "email_marketing", "webmaster", "news_portal", "community_manager", "mobile_apps", "chat_rooms", "voice_overs", "support_plan"];
// A kind the API adds before the panel knows it goes last, not first.
const rank = (kind: ProductKind): number => {
  const at = KIND_ORDER.indexOf(kind);
  return at === -1 ? KIND_ORDER.length : at;
};

/** Products sold in `currency`, grouped by kind, the most ordered kinds first. */
export function byKind(products: Product[], currency: string): Map<ProductKind, Product[]> {
  const groups = new Map<ProductKind, Product[]>();
  const sorted = [...products].sort((a, b) => rank(a.kind) - rank(b.kind));
  for (const product of sorted) {
    if (!product.active || !product.prices.some((p) => p.currency === currency)) continue;
    groups.set(product.kind, [...(groups.get(product.kind) ?? []), product]);
  }
  return groups;
}

export const CYCLE_MONTHS: Record<string, number> = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12, biennial: 24 };

/** The lowest monthly price of a product in `currency` (for "from X / month"), in minor units. */
export function fromMonthly(product: Product, currency: string): number | null {
  const monthly = product.prices
    .filter((p) => p.currency === currency)
    .map((p) => Math.round(p.amount_minor / (CYCLE_MONTHS[p.cycle] ?? 1)));
  return monthly.length ? Math.min(...monthly) : null;
}
