import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { AuthLayout } from "@/components/layouts/app-layout";
import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { requestPasswordReset } from "@/features/auth/api/accounts";

export default function ForgotPasswordRoute() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const mutation = useMutation({ mutationFn: () => requestPasswordReset(email.trim()) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <AuthLayout>
      <form className="form" onSubmit={submit}>
        <h1>{t("auth.forgotTitle")}</h1>
        {mutation.isSuccess ? (
          <Notice tone="ok" title={t("auth.checkInbox")}>
            <p>{t("auth.resetSent", { email })}</p>
          </Notice>
        ) : (
          <>
            <p className="muted">{t("auth.forgotLead")}</p>
            <ErrorNotice error={mutation.error} />
            <Field label={t("fields.email")} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <Button type="submit" busy={mutation.isPending} className="btn-block">
              {t("auth.sendResetLink")}
            </Button>
          </>
        )}
        <p className="form-footer">
          <Link to="/sign-in">{t("auth.backToSignIn")}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
