import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { Button, Card, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { countries } from "@/features/auth/components/countries";
import { IdentityCard } from "@/features/identity/components/identity-card";
import { useChangePassword, useUpdateProfile } from "@/features/profile/api";
import { signOutEverywhere } from "@/lib/auth";
import { isLanguage, setLanguage } from "@/lib/i18n";

function ProfileForm() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const update = useUpdateProfile();
  const [form, setForm] = useState({ name: "", phone: "", country: "", language: "es" });
  useEffect(() => {
    if (me.data) setForm({ name: me.data.name, phone: me.data.phone ?? "", country: me.data.country ?? "", language: me.data.language });
  }, [me.data]);
  const list = useMemo(() => countries(i18n.language), [i18n.language]);
  if (me.isPending) return <Spinner />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const language = isLanguage(form.language) ? form.language : "es";
    update.mutate(
      { name: form.name.trim(), phone: form.phone.trim() || null, country: form.country || null, language },
      { onSuccess: () => setLanguage(language) },
    );
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field label={t("fields.email")} value={me.data?.email ?? ""} readOnly hint={t("profile.emailFixed")} />
      <Field label={t("fields.name")} required autoComplete="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      <div className="form-row">
        <Field label={t("fields.phone")} type="tel" autoComplete="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
        <SelectField label={t("fields.country")} value={form.country} onChange={(e) => setForm({ ...form, country: e.target.value })}>
          {list.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </SelectField>
      </div>
      <SelectField label={t("fields.language")} value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })}>
        <option value="es">Español</option>
        <option value="en">English</option>
      </SelectField>
      {update.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
      <ErrorNotice error={update.error} />
      <Button type="submit" busy={update.isPending}>
        {t("common.save")}
      </Button>
    </form>
  );
}

function PasswordForm() {
  const { t } = useTranslation();
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const tooShort = next.length > 0 && next.length < 10;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (tooShort) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent("");
          setNext("");
        },
      },
    );
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field label={t("fields.currentPassword")} type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      <Field
        label={t("fields.newPassword")}
        type="password"
        autoComplete="new-password"
        required
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint={t("auth.passwordRule", { count: 10 })}
        error={tooShort ? t("auth.passwordTooShort", { count: 10 }) : null}
      />
      {change.isSuccess && <Notice tone="ok">{t("profile.passwordChanged")}</Notice>}
      <ErrorNotice error={change.error} />
      <Button type="submit" variant="secondary" busy={change.isPending}>
        {t("profile.changePassword")}
      </Button>
    </form>
  );
}

export default function ProfileRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <PageHeader title={t("nav.profile")} />
      <div className="grid-2">
        <Card title={t("profile.details")}>
          <ProfileForm />
        </Card>
        <div className="form">
          <IdentityCard />
          <Card title={t("profile.password")}>
            <PasswordForm />
          </Card>
          <Card title={t("profile.sessions")}>
            <p className="muted">{t("profile.sessionsLead")}</p>
            <Button
              variant="danger"
              busy={busy}
              onClick={() => {
                setBusy(true);
                void signOutEverywhere()
                  .then(() => navigate("/sign-in"))
                  .finally(() => setBusy(false));
              }}
            >
              {t("profile.signOutEverywhere")}
            </Button>
          </Card>
        </div>
      </div>
    </>
  );
}
