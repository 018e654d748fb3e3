import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, ErrorNotice, Field } from "@/components/ui";
import { AuthError, signIn } from "@/lib/auth";
import { ApiError, asProblem } from "@/lib/problem";

export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const mutation = useMutation({
    mutationFn: async () => {
      try {
        await signIn(email.trim(), password);
      } catch (error) {
        if (error instanceof AuthError) throw new ApiError(error.status, asProblem(error.problem, error.status));
        throw error;
      }
    },
    onSuccess: onSignedIn,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit} className="form" noValidate={false}>
      <h1>{t("auth.signInTitle")}</h1>
      <p className="muted">{t("auth.signInLead")}</p>
      <ErrorNotice error={mutation.error} />
      <Field label={t("fields.email")} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <Field
        label={t("fields.password")}
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <p className="form-aside">
        <Link to="/forgot-password">{t("auth.forgot")}</Link>
      </p>
      <Button type="submit" busy={mutation.isPending} className="btn-block">
        {t("auth.signIn")}
      </Button>
      <p className="form-footer">
        {t("auth.noAccount")} <Link to="/sign-up">{t("auth.createAccount")}</Link>
      </p>
    </form>
  );
}
