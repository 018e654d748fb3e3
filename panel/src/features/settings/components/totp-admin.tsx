import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, CopyButton, EmptyState, ErrorNotice, Field, Notice, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { useEnrolTotp, useResetTotp, useStaffMembers } from "@/features/settings/api/more";

/** Issue 14 item 7: a staff member turns TOTP on from the console, policy or not (the password again). */
export function TotpEnrol() {
  const { t } = useTranslation();
  const me = useMe();
  const enrol = useEnrolTotp();
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (me.data) enrol.mutate({ email: me.data.email, password }, { onSuccess: () => setPassword("") });
  };
  if (enrol.data)
    return (
      <Notice tone="info" title={t("staffSettings.security.enrolTitle")}>
        <p>{t("staffSettings.security.enrolLead")}</p>
        <p className="inline-actions">
          <strong className="secret" data-testid="totp-secret">
            {enrol.data.secret}
          </strong>
          <CopyButton value={enrol.data.secret} label={t("auth.totp.secret")} />
        </p>
        <p>
          <a href={enrol.data.otpauth_uri}>{t("auth.totp.openApp")}</a>
        </p>
      </Notice>
    );
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label={t("staffSettings.security.password")}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorNotice error={enrol.error} />
      <Button type="submit" busy={enrol.isPending}>
        {t("staffSettings.security.enrol")}
      </Button>
    </form>
  );
}

/** Issue 14 item 7: admins reset another staff member's TOTP (a lost phone); audited, they enrol again. */
export function TotpResets() {
  const { t } = useTranslation();
  const me = useMe();
  const members = useStaffMembers();
  const reset = useResetTotp();
  if (members.isPending) return <Spinner />;
  if (members.isError) return <ErrorNotice error={members.error} />;
  const enrolled = members.data.filter((m) => m.totp && m.id !== me.data?.id);
  return (
    <div className="form">
      <h3>{t("staffSettings.security.resetTitle")}</h3>
      {reset.isSuccess && <Notice tone="ok">{t("staffSettings.security.resetDone")}</Notice>}
      <ErrorNotice error={reset.error} />
      {enrolled.length === 0 ? (
        <EmptyState title={t("staffSettings.security.resetNone")} />
      ) : (
        <ul className="rows">
          {enrolled.map((m) => (
            <li className="row" key={m.id}>
              <div>
                <span className="row-title">{m.name || m.email}</span>
                <span className="row-sub">{m.email}</span>
              </div>
              <Button
                variant="secondary"
                aria-label={t("staffSettings.security.resetFor", { who: m.email })}
                busy={reset.isPending && reset.variables === m.id}
                onClick={() => reset.mutate(m.id)}
              >
                {t("staffSettings.security.reset")}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
