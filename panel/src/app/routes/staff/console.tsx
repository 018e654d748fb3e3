// The console's pages (lazy chunk): home, search, a client's page, billing work, provisioning work, affiliates and
// identity reviews (issue 18), domains (issue 21), the support desk (issue 16). Settings (/staff/settings) are their
// own route, beside these.
import "@/features/staff/staff.css";

import { Route, Routes } from "react-router";

import StaffAffiliateRoute from "@/features/affiliates/routes/staff-affiliate";
import StaffAffiliatesRoute from "@/features/affiliates/routes/staff-affiliates";
import StaffIdentityRoute from "@/features/identity/routes/staff-identity";

import NotFoundRoute from "../not-found";
import StaffBillingRoute from "./billing";
import StaffClientRoute from "./client";
import StaffDomainsRoute from "./domains";
import StaffHomeRoute from "./home";
import StaffProvisioningRoute from "./provisioning";
import StaffSearchRoute from "./search";
import StaffKbRoute from "@/features/help/routes/console";
import StaffIdeasRoute from "@/features/ideas/routes/console";
import StaffStatusRoute from "@/features/status/routes/console";
import StaffSupportRoute from "./support";
import StaffSupportTicketRoute from "./support-ticket";

export default function StaffConsole() {
  return (
    <Routes>
      <Route index element={<StaffHomeRoute />} />
      <Route path="search" element={<StaffSearchRoute />} />
      <Route path="clients/:id" element={<StaffClientRoute />} />
      <Route path="billing" element={<StaffBillingRoute />} />
      <Route path="provisioning" element={<StaffProvisioningRoute />} />
      <Route path="status" element={<StaffStatusRoute />} />
      <Route path="kb" element={<StaffKbRoute />} />
      <Route path="ideas" element={<StaffIdeasRoute />} />
      <Route path="affiliates" element={<StaffAffiliatesRoute />} />
      <Route path="affiliates/:id" element={<StaffAffiliateRoute />} />
      <Route path="identity" element={<StaffIdentityRoute />} />
      <Route path="domains" element={<StaffDomainsRoute />} />
      <Route path="support" element={<StaffSupportRoute />} />
      <Route path="support/tickets/:id" element={<StaffSupportTicketRoute />} />
      <Route path="*" element={<NotFoundRoute />} />
    </Routes>
  );
}
