import { createBrowserRouter, RouterProvider } from "react-router";

import AppRoute from "./routes/app";
import CreditRoute from "./routes/credit";
import ForgotPasswordRoute from "./routes/auth/forgot-password";
import ResetPasswordRoute from "./routes/auth/reset-password";
import SignInRoute from "./routes/auth/sign-in";
import SignUpRoute from "./routes/auth/sign-up";
import VerifyEmailRoute from "./routes/auth/verify-email";
import HomeRoute from "./routes/home";
import InvoiceRoute from "./routes/invoice";
import InvoicesRoute from "./routes/invoices";
import NotFoundRoute from "./routes/not-found";
import NotificationsRoute from "./routes/notifications";
import OrderRoute from "./routes/order";
import ProfileRoute from "./routes/profile";
import ReferralsRoute from "./routes/referrals";
import ServiceRoute from "./routes/service";
import ServicesRoute from "./routes/services";
import StaffRoute from "./routes/staff";
import AffiliatesRoute from "@/features/affiliates/routes/affiliates";
import DomainRoute from "@/features/domains/routes/domain";
import DomainsRoute from "@/features/domains/routes/domains";
import DirectDebitRoute from "@/features/direct-debit/routes/direct-debit";
import SupportAppointmentsRoute from "@/features/support/routes/appointments";
import SupportNewTicketRoute from "@/features/support/routes/new-ticket";
import SupportRoute from "@/features/support/routes/support";
import SupportTicketRoute from "@/features/support/routes/ticket";
import StatusRoute from "@/features/status/routes/status";
import HelpRoute from "@/features/help/routes/help";
import HelpArticleRoute from "@/features/help/routes/article";
import IdeasRoute from "@/features/ideas/routes/ideas";
import IdentityRoute from "@/features/identity/routes/identity";
import AutopayRoute from "@/features/autopay/routes/autopay";

// Paths are those the platform's e-mails link to (/verify-email, /reset-password, /invoices/<id>).
const router = createBrowserRouter([
  { path: "/sign-in", Component: SignInRoute },
  { path: "/sign-up", Component: SignUpRoute },
  { path: "/verify-email", Component: VerifyEmailRoute },
  { path: "/forgot-password", Component: ForgotPasswordRoute },
  { path: "/reset-password", Component: ResetPasswordRoute },
  { path: "/status", Component: StatusRoute }, // public (S-4): no login
  {
    path: "/",
    Component: AppRoute,
    children: [
      { index: true, Component: HomeRoute },
      { path: "services", Component: ServicesRoute },
      { path: "services/:id", Component: ServiceRoute },
      { path: "order", Component: OrderRoute },
      { path: "invoices", Component: InvoicesRoute },
      { path: "invoices/:id", Component: InvoiceRoute },
      { path: "credit", Component: CreditRoute },
      { path: "direct-debit", Component: DirectDebitRoute },
      { path: "autopay", Component: AutopayRoute }, // B-21: e-mails link here
      { path: "notifications", Component: NotificationsRoute },
      { path: "referrals", Component: ReferralsRoute },
      { path: "profile", Component: ProfileRoute },
      // Staff console (issue 14): lazy-loaded, role-checked in the route and by every API call behind it.
      { path: "staff/*", Component: StaffRoute },
      { path: "staff/settings", lazy: async () => ({ Component: (await import("./routes/staff-settings")).default }) },
      { path: "affiliates", Component: AffiliatesRoute },
      { path: "identity", Component: IdentityRoute },
      { path: "domains", Component: DomainsRoute },
      { path: "domains/:id", Component: DomainRoute },
      { path: "support", Component: SupportRoute },
      { path: "support/new", Component: SupportNewTicketRoute },
      { path: "support/tickets/:id", Component: SupportTicketRoute },
      { path: "support/appointments", Component: SupportAppointmentsRoute },
      { path: "help", Component: HelpRoute },
      { path: "help/articles/:id", Component: HelpArticleRoute },
      { path: "ideas", Component: IdeasRoute },
      { path: "*", Component: NotFoundRoute },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
