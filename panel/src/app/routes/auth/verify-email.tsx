import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { AuthLayout } from "@/components/layouts/app-layout";
import { ErrorNotice, Notice, Spinner } from "@/components/ui";
import { useSessionState } from "@/features/auth/api";
import { verifyEmail } from "@/features/auth/api/accounts";

export default function VerifyEmailRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const state = useSessionState();
  const mutation = useMutation({ mutationFn: () => verifyEmail(token) });
  const { mutate } = mutation;
  useEffect(() => {
    if (token) mutate();
  }, [token, mutate]);
  return (
    <AuthLayout>
      <div className="form">
        <h1>{t("auth.verifyTitle")}</h1>
        {!token && <Notice tone="bad" title={t("auth.verifyNoToken")} />}
        {mutation.isPending && <Spinner label={t("auth.verifying")} />}
        {mutation.isError && (
          <>
            <ErrorNotice error={mutation.error} />
            <p className="muted">{t("auth.verifyFailedHint")}</p>
          </>
        )}
        {mutation.isSuccess && (
          <Notice tone="ok" title={t("auth.verified")}>
            <p>{t("auth.verifiedLead", { email: mutation.data.email })}</p>
          </Notice>
        )}
        {(mutation.isSuccess || mutation.isError || !token) && (
          <Link className="btn btn-primary btn-block" to={state === "signed-in" ? "/" : "/sign-in"}>
            {state === "signed-in" ? t("auth.goToPanel") : t("auth.goToSignIn")}
          </Link>
        )}
      </div>
    </AuthLayout>
  );
}
