import type { ComponentType } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";

import AppRoute from "./routes/app";
import SignInRoute from "./routes/auth/sign-in";
import HomeRoute from "./routes/home";
import InvoiceRoute from "./routes/invoice";
import InvoicesRoute from "./routes/invoices";
import NotFoundRoute from "./routes/not-found";
import ServiceRoute from "./routes/service";
import ServicesRoute from "./routes/services";
import StaffRoute from "./routes/staff";

/** A page loaded when first visited: the sign-in, home, services and invoices come with the app, the rest (and the
 * staff console) in their own chunks, so the first page a client opens downloads only what it shows. */
function page(load: () => Promise<{ default: ComponentType }>) {
  return async () => ({ Component: (await load()).default });
}

// Paths are those the platform's e-mails link to (/verify-email, /reset-password, /invoices/<id>).
const router = createBrowserRouter([
  { path: "/sign-in", Component: SignInRoute },
  { path: "/sign-up", lazy: page(() => import("./routes/auth/sign-up")) },
  { path: "/verify-email", lazy: page(() => import("./routes/auth/verify-email")) },
  { path: "/forgot-password", lazy: page(() => import("./routes/auth/forgot-password")) },
  { path: "/reset-password", lazy: page(() => import("./routes/auth/reset-password")) },
  { path: "/status", lazy: page(() => import("@/features/status/routes/status")) }, // public (S-4): no login
  {
    path: "/",
    Component: AppRoute,
    children: [
      { index: true, Component: HomeRoute },
      { path: "services", Component: ServicesRoute },
      { path: "services/:id", Component: ServiceRoute },
      { path: "order", lazy: page(() => import("./routes/order")) },
      { path: "invoices", Component: InvoicesRoute },
      { path: "invoices/:id", Component: InvoiceRoute },
      { path: "credit", lazy: page(() => import("./routes/credit")) },
      { path: "direct-debit", lazy: page(() => import("@/features/direct-debit/routes/direct-debit")) },
      { path: "autopay", lazy: page(() => import("@/features/autopay/routes/autopay")) }, // B-21: e-mails link here
      { path: "notifications", lazy: page(() => import("./routes/notifications")) },
      { path: "referrals", lazy: page(() => import("./routes/referrals")) },
      { path: "profile", lazy: page(() => import("./routes/profile")) },
      // Staff console (issue 14): lazy-loaded, role-checked in the route and by every API call behind it.
      { path: "staff/*", Component: StaffRoute },
      { path: "staff/settings", lazy: page(() => import("./routes/staff-settings")) },
      { path: "affiliates", lazy: page(() => import("@/features/affiliates/routes/affiliates")) },
      { path: "identity", lazy: page(() => import("@/features/identity/routes/identity")) },
      { path: "domains", lazy: page(() => import("@/features/domains/routes/domains")) },
      { path: "domains/:id", lazy: page(() => import("@/features/domains/routes/domain")) },
      { path: "support", lazy: page(() => import("@/features/support/routes/support")) },
      { path: "support/new", lazy: page(() => import("@/features/support/routes/new-ticket")) },
      { path: "support/tickets/:id", lazy: page(() => import("@/features/support/routes/ticket")) },
      { path: "support/appointments", lazy: page(() => import("@/features/support/routes/appointments")) },
      { path: "help", lazy: page(() => import("@/features/help/routes/help")) },
      { path: "help/articles/:id", lazy: page(() => import("@/features/help/routes/article")) },
      { path: "ideas", lazy: page(() => import("@/features/ideas/routes/ideas")) },
      { path: "*", Component: NotFoundRoute },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
