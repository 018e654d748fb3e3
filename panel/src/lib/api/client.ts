// The typed API client: paths, bodies and answers come from the platform's merged OpenAPI document
// (scripts/openapi.py → openapi.json → schema.d.ts at build time), so a changed endpoint breaks `tsc`.
import createClient from "openapi-fetch";

import { authFetch } from "@/lib/auth";

import type { components, paths } from "./schema";

export const api = createClient<paths>({ baseUrl: "", fetch: authFetch });

type Schemas = components["schemas"];
export type Money = Schemas["billing.MoneyModel"];
export type User = Schemas["UserPublic"];
export type Product = Schemas["billing.ProductPublic"];
export type Cycle = Schemas["billing.Cycle"];
export type ProductKind = Schemas["billing.ProductKind"];
export type OrderRequest = Schemas["billing.OrderRequest"];
export type OrderPreview = Schemas["billing.OrderPreview"];
export type PreviewLine = Schemas["billing.PreviewLine"];
export type DiscountLine = Schemas["billing.DiscountLine"];
export type Invoice = Schemas["billing.InvoicePublic"];
export type InvoiceDetail = Schemas["billing.InvoiceDetail"];
export type BillingService = Schemas["billing.ServicePublic"];
export type ProvisionedService = Schemas["provisioning.ServicePublic"];
export type ServiceDetail = Schemas["provisioning.ServiceDetail"];
export type Transfer = Schemas["provisioning.TransferPublic"];
export type InboxMessage = Schemas["notify.InboxMessage"];
export type Preferences = Schemas["notify.PreferencesPublic"];
