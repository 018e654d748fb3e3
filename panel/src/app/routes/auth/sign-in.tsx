import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";

import { AuthLayout } from "@/components/layouts/app-layout";
import { Notice } from "@/components/ui";
import { useSessionState } from "@/features/auth/api";
import { SignInForm } from "@/features/auth/components/sign-in-form";

/** Where to go after signing in: only a path inside the panel (never another site). */
export function safeNext(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export default function SignInRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const state = useSessionState();
  const next = safeNext(params.get("next"));
  if (state === "signed-in") return <Navigate to={next} replace />;
  return (
    <AuthLayout>
      {params.get("reset") === "1" && <Notice tone="ok">{t("auth.resetDone")}</Notice>}
      <SignInForm onSignedIn={() => navigate(next, { replace: true })} />
    </AuthLayout>
  );
}
