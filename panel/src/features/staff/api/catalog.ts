// Coupons (B-12) and the catalog (C-1..C-4) as admins change them (issue 14 item 3); staff only read. Every change
// is audited by billing; the history lists the latest ones.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { unwrap } from "@/lib/problem";

import { staffKeys } from "./index";

type S = components["schemas"];
export type Coupon = S["billing.CouponPublic"];
export type CouponCreate = S["billing.CouponCreate"];
export type CouponUpdate = S["billing.CouponUpdate"];
export type Product = S["billing.ProductDetail"];
export type ProductUpdate = S["billing.ProductUpdate"];
export type Cycle = S["billing.Cycle"];
export type CatalogChange = S["billing.CatalogChange"];
export type Currency = S["billing.MoneyModel"]["currency"];

const COUPONS = [...staffKeys.all, "coupons"];
const PRODUCTS = [...staffKeys.all, "products"];
const HISTORY = [...staffKeys.all, "catalog-history"];

function useChange<T>(change: (body: T) => Promise<unknown>, key: readonly string[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: key }), client.invalidateQueries({ queryKey: HISTORY })]),
  });
}

const coupon = (code: string) => ({ params: { path: { code } } });

export function useCreateCoupon() {
  return useChange(async (body: CouponCreate) => unwrap(await api.POST("/api/billing/staff/coupons", { body })), COUPONS);
}

export function useUpdateCoupon() {
  return useChange(
    async ({ code, body }: { code: string; body: CouponUpdate }) => unwrap(await api.PATCH("/api/billing/staff/coupons/{code}", { ...coupon(code), body })),
    COUPONS,
  );
}

export function useRetireCoupon() {
  return useChange(async (code: string) => unwrap(await api.POST("/api/billing/staff/coupons/{code}/retire", coupon(code))), COUPONS);
}

export function useDeleteCoupon() {
  return useChange(async (code: string) => unwrap(await api.DELETE("/api/billing/staff/coupons/{code}", coupon(code))), COUPONS);
}

export function useUpdateProduct() {
  return useChange(
    async ({ code, body }: { code: string; body: ProductUpdate }) =>
      unwrap(await api.PATCH("/api/billing/staff/catalog/products/{code}", { params: { path: { code } }, body })),
    PRODUCTS,
  );
}

type PriceKey = { code: string; cycle: Cycle; currency: Currency };

export function useSetPrice() {
  return useChange(
    async ({ amount_minor, ...path }: PriceKey & { amount_minor: number }) =>
      unwrap(await api.PUT("/api/billing/staff/catalog/products/{code}/prices/{cycle}/{currency}", { params: { path }, body: { amount_minor } })),
    PRODUCTS,
  );
}

export function useDeletePrice() {
  return useChange(
    async (path: PriceKey) => unwrap(await api.DELETE("/api/billing/staff/catalog/products/{code}/prices/{cycle}/{currency}", { params: { path } })),
    PRODUCTS,
  );
}

export function useCatalogHistory() {
  return useQuery({ queryKey: HISTORY, queryFn: async () => unwrap(await api.GET("/api/billing/staff/catalog/history", { params: { query: { limit: 20 } } })) });
}
