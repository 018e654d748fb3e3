// The staff console's door (issue 14): small and in the main bundle; the console itself is lazy-loaded only once
// the signed-in person is known to be staff or an admin, so a client never downloads it and is sent home.
import { lazy, Suspense } from "react";
import { Navigate } from "react-router";

import { Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";

const StaffConsole = lazy(() => import("./staff/console"));

export function isStaff(role: string | undefined): boolean {
  return role === "staff" || role === "admin";
}

export default function StaffRoute() {
  const me = useMe();
  if (me.isPending) return <Spinner />;
  if (!isStaff(me.data?.role)) return <Navigate to="/" replace />;
  return (
    <Suspense fallback={<Spinner />}>
      <StaffConsole />
    </Suspense>
  );
}
