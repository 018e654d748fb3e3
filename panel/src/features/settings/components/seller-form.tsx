import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field, Notice } from "@/components/ui";
import { useSaveSeller, type SellerIdentity } from "@/features/settings/api";

/** Who issues the invoices: name, address, tax id, logo (printed on each invoice). */
export function SellerForm({ value, editable }: { value: SellerIdentity; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSaveSeller();
  const [form, setForm] = useState<SellerIdentity>(value);
  useEffect(() => setForm(value), [value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(form);
  };
  const set = (field: keyof SellerIdentity) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });
  return (
    <form className="form" onSubmit={submit}>
      <Field label={t("staffSettings.seller.name")} required maxLength={200} readOnly={!editable} value={form.seller_name} onChange={set("seller_name")} />
      <Field label={t("staffSettings.seller.address")} maxLength={500} readOnly={!editable} value={form.seller_address ?? ""} onChange={set("seller_address")} />
      <Field label={t("staffSettings.seller.taxId")} maxLength={40} readOnly={!editable} value={form.seller_tax_id ?? ""} onChange={set("seller_tax_id")} />
      <Field
        label={t("staffSettings.seller.logo")}
        hint={t("staffSettings.seller.logoHint")}
        type="url"
        readOnly={!editable}
        value={form.seller_logo_url ?? ""}
        onChange={set("seller_logo_url")}
      />
      {form.seller_logo_url && <img className="seller-logo" src={form.seller_logo_url} alt={t("staffSettings.seller.logoAlt")} />}
      {save.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
      <ErrorNotice error={save.error} />
      {editable && (
        <Button type="submit" busy={save.isPending}>
          {t("staffSettings.seller.save")}
        </Button>
      )}
    </form>
  );
}
