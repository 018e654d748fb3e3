import { useMutation } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, ErrorNotice, Field, Notice, SelectField } from "@/components/ui";
import { isLanguage } from "@/lib/i18n";

import { signUp } from "../api/accounts";
import { countries } from "./countries";

const MIN_PASSWORD = 10;

export function SignUpForm({ referralCode }: { referralCode?: string }) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState({ name: "", email: "", password: "", country: "AR", phone: "", referral: referralCode ?? "" });
  const mutation = useMutation({
    mutationFn: () =>
      signUp({
        name: form.name.trim(),
        email: form.email.trim(),
        password: form.password,
        country: form.country,
        phone: form.phone.trim() || null,
        language: isLanguage(i18n.language) ? i18n.language : "es",
        referral_code: form.referral.trim() || null,
      }),
  });
  const list = useMemo(() => countries(i18n.language), [i18n.language]);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });
  const tooShort = form.password.length > 0 && form.password.length < MIN_PASSWORD;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!tooShort) mutation.mutate();
  };
  if (mutation.isSuccess) {
    return (
      <div className="form">
        <h1>{t("auth.checkInbox")}</h1>
        <Notice tone="ok">{t("auth.verificationSent", { email: mutation.data.email })}</Notice>
        <p className="muted">{t("auth.verificationHint")}</p>
        <Link className="btn btn-secondary btn-block" to="/sign-in">
          {t("auth.goToSignIn")}
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="form">
      <h1>{t("auth.signUpTitle")}</h1>
      <p className="muted">{t("auth.signUpLead")}</p>
      <ErrorNotice error={mutation.error} />
      <Field label={t("fields.name")} name="name" autoComplete="name" required value={form.name} onChange={set("name")} />
      <Field label={t("fields.email")} type="email" name="email" autoComplete="email" required value={form.email} onChange={set("email")} />
      <Field
        label={t("fields.password")}
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD}
        value={form.password}
        onChange={set("password")}
        hint={t("auth.passwordRule", { count: MIN_PASSWORD })}
        error={tooShort ? t("auth.passwordTooShort", { count: MIN_PASSWORD }) : null}
      />
      <SelectField label={t("fields.country")} name="country" value={form.country} onChange={set("country")} autoComplete="country">
        {list.map((c) => (
          <option key={c.code} value={c.code}>
            {c.name}
          </option>
        ))}
      </SelectField>
      <Field label={t("fields.phoneOptional")} type="tel" name="phone" autoComplete="tel" value={form.phone} onChange={set("phone")} />
      <Field label={t("fields.referralOptional")} name="referral" value={form.referral} onChange={set("referral")} />
      <Button type="submit" busy={mutation.isPending} className="btn-block">
        {t("auth.createAccount")}
      </Button>
      <p className="form-footer">
        {t("auth.haveAccount")} <Link to="/sign-in">{t("auth.signIn")}</Link>
      </p>
    </form>
  );
}
