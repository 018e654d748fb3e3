import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, CopyButton, ErrorNotice, Field, Notice } from "@/components/ui";
import { AuthError, signIn } from "@/lib/auth";
import { ApiError, asProblem } from "@/lib/problem";

type Enrolment = { secret: string; otpauth_uri: string };

/** Issue 14 item 7: admins require two-factor authentication of staff; a staff account without it enrols here. */
async function enrol(email: string, password: string): Promise<Enrolment> {
  const response = await fetch("/api/auth/totp/setup", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, asProblem(body, response.status));
  return body as Enrolment;
}

export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const mutation = useMutation({
    mutationFn: async () => {
      try {
        await signIn(email.trim(), password, needsCode ? code.trim() : undefined);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        const problem = new ApiError(error.status, asProblem(error.problem, error.status));
        if (problem.code === "totp-required" && !needsCode) {
          setNeedsCode(true);
          return false;
        }
        if (problem.code === "totp-enrolment-required") {
          setEnrolment(await enrol(email.trim(), password));
          setNeedsCode(true);
          return false;
        }
        throw problem;
      }
      return true;
    },
    onSuccess: (signedIn) => {
      if (signedIn) onSignedIn();
    },
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
      {enrolment && (
        <Notice tone="info" title={t("auth.totp.enrolTitle")}>
          <p>{t("auth.totp.enrolLead")}</p>
          <p className="inline-actions">
            <strong className="secret" data-testid="totp-secret">
              {enrolment.secret}
            </strong>
            <CopyButton value={enrolment.secret} label={t("auth.totp.secret")} />
          </p>
          <p>
            <a href={enrolment.otpauth_uri}>{t("auth.totp.openApp")}</a>
          </p>
        </Notice>
      )}
      {needsCode && (
        <Field
          label={t("auth.totp.code")}
          hint={t("auth.totp.codeHint")}
          name="totp"
          autoComplete="one-time-code"
          required
          autoFocus
          maxLength={32}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      )}
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
