import { useTranslation } from "react-i18next";
import { Navigate, Outlet, useLocation } from "react-router";

import { AppLayout, type NavItem } from "@/components/layouts/app-layout";
import { Spinner } from "@/components/ui";
import { useClearCacheOnSignOut, useMe, useSessionState } from "@/features/auth/api";
import { useLiveUpdates } from "@/features/live/api/stream";
import { useInbox } from "@/features/notifications/api";
import { useUpdateProfile } from "@/features/profile/api";

import { isStaff } from "./staff";

const ICONS = { home: "⌂", services: "▦", order: "+", invoices: "▤", credit: "◎", notifications: "✉", referrals: "♥", directDebit: "↻", profile: "☺", settings: "⚙", support: "?", domains: "◍", affiliates: "★", status: "◔", kb: "❏", ideas: "✦", help: "ℹ" };

/** Every signed-in page: the session, the live stream, the navigation. */
export default function AppRoute() {
  const { t } = useTranslation();
  const state = useSessionState();
  const location = useLocation();
  const me = useMe();
  const inbox = useInbox();
  const update = useUpdateProfile();
  useClearCacheOnSignOut();
  useLiveUpdates(state === "signed-in");
  // Until the profile says who this is, no menu: a staff member must never see the client's for a moment (and click it).
  if (state === "unknown" || (state === "signed-in" && me.isPending)) return <Spinner />;
  if (state === "signed-out") {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  const staff = isStaff(me.data?.role);
  if (staff && location.pathname === "/") return <Navigate to="/staff" replace />;
  const clientNav: NavItem[] = [
    { to: "/", label: t("nav.home"), icon: ICONS.home },
    { to: "/services", label: t("nav.services"), icon: ICONS.services },
    { to: "/order", label: t("nav.order"), icon: ICONS.order },
    { to: "/invoices", label: t("nav.invoices"), icon: ICONS.invoices },
    { to: "/credit", label: t("nav.credit"), icon: ICONS.credit },
    // Direct debit (Pagos360) debits Argentine accounts only: other currencies never see it offered.
    ...(me.data?.currency === "ARS" ? [{ to: "/direct-debit", label: t("nav.directDebit"), icon: ICONS.directDebit }] : []),
    { to: "/notifications", label: t("nav.notifications"), icon: ICONS.notifications, badge: inbox.data?.unread },
    { to: "/domains", label: t("nav.domains"), icon: ICONS.domains },
    { to: "/support", label: t("nav.support"), icon: ICONS.support },
    { to: "/ideas", label: t("ideas.nav"), icon: ICONS.ideas },
    { to: "/help", label: t("nav.help"), icon: ICONS.help },
    { to: "/status", label: t("nav.status"), icon: ICONS.status },
    { to: "/referrals", label: t("nav.referrals"), icon: ICONS.referrals },
    { to: "/affiliates", label: t("nav.affiliates"), icon: ICONS.affiliates },
    { to: "/profile", label: t("nav.profile"), icon: ICONS.profile },
  ];
  // Staff and admins get the console's navigation instead (issue 14); its pages load only for them.
  const nav: NavItem[] = staff
    ? [
        { to: "/staff", label: t("console.nav.home"), icon: ICONS.home, end: true },
        { to: "/staff/billing", label: t("console.nav.billing"), icon: ICONS.invoices },
        { to: "/staff/provisioning", label: t("console.nav.provisioning"), icon: ICONS.services },
        { to: "/staff/affiliates", label: t("affiliates.staff.nav"), icon: ICONS.affiliates },
        { to: "/staff/identity", label: t("identity.staff.nav"), icon: ICONS.profile },
        { to: "/staff/domains", label: t("domains.staff.nav"), icon: ICONS.domains },
        { to: "/staff/support", label: t("support.desk.nav"), icon: ICONS.support },
        { to: "/notifications", label: t("nav.notifications"), icon: ICONS.notifications, badge: inbox.data?.unread },
        { to: "/staff/status", label: t("status_console.nav"), icon: ICONS.status },
        { to: "/staff/kb", label: t("help.console.nav"), icon: ICONS.kb },
        { to: "/staff/ideas", label: t("ideas.console.nav"), icon: ICONS.ideas },
        { to: "/staff/settings", label: t("staffSettings.nav"), icon: ICONS.settings },
        { to: "/profile", label: t("nav.profile"), icon: ICONS.profile },
      ]
    : clientNav;
  return (
    <AppLayout nav={nav} userName={me.data?.name ?? ""} onLanguage={(language) => update.mutate({ language })}>
      <Outlet />
    </AppLayout>
  );
}
