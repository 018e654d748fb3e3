import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";

import { AuthLayout } from "@/components/layouts/app-layout";
import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { confirmPasswordReset } from "@/features/auth/api/accounts";

const MIN_PASSWORD = 10;

export default function ResetPasswordRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const mutation = useMutation({
    mutationFn: () => confirmPasswordReset(token, password),
    onSuccess: () => navigate("/sign-in?reset=1", { replace: true }),
  });
  const mismatch = repeat.length > 0 && repeat !== password;
  const tooShort = password.length > 0 && password.length < MIN_PASSWORD;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mismatch && !tooShort) mutation.mutate();
  };
  return (
    <AuthLayout>
      <form className="form" onSubmit={submit}>
        <h1>{t("auth.resetTitle")}</h1>
        {!token ? (
          <Notice tone="bad" title={t("auth.resetNoToken")} />
        ) : (
          <>
            <ErrorNotice error={mutation.error} />
            <Field
              label={t("fields.newPassword")}
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              hint={t("auth.passwordRule", { count: MIN_PASSWORD })}
              error={tooShort ? t("auth.passwordTooShort", { count: MIN_PASSWORD }) : null}
            />
            <Field
              label={t("fields.repeatPassword")}
              type="password"
              autoComplete="new-password"
              required
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              error={mismatch ? t("auth.passwordMismatch") : null}
            />
            <Button type="submit" busy={mutation.isPending} className="btn-block">
              {t("auth.saveNewPassword")}
            </Button>
          </>
        )}
        <p className="form-footer">
          <Link to="/forgot-password">{t("auth.requestAnotherLink")}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
