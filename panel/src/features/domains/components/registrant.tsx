// P-2: the registrant data the registry needs, given once; registrations waiting for it start when saved.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Field } from "@/components/ui";

import { useSaveRegistrant, type Registrant } from "../api";

const EMPTY: Registrant = { name: "", email: "", address: "", city: "", postal_code: "", country: "AR", phone_cc: "54", phone: "", company: "", state: "", tax_id: "" };
const REQUIRED = ["name", "email", "address", "city", "postal_code", "country", "phone_cc", "phone"] as const;
const OPTIONAL = ["company", "state", "tax_id"] as const; // tax_id: NIC Argentina (.ar) needs the holder's CUIT/CUIL

export function RegistrantForm({ initial, onSaved }: { initial: Registrant | null; onSaved?: () => void }) {
  const { t } = useTranslation();
  const save = useSaveRegistrant();
  const [values, setValues] = useState<Registrant>({ ...EMPTY, ...(initial ?? {}) });
  const set = (key: keyof Registrant, value: string) => setValues({ ...values, [key]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ ...values, country: (values.country ?? "").toUpperCase() }, { onSuccess: () => onSaved?.() });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t("domains.registrantTitle")}>
      <p className="muted">{t("domains.registrantLead")}</p>
      <div className="form-row">
        {[...REQUIRED, ...OPTIONAL].map((key) => (
          <Field
            key={key}
            label={t(`domains.fields.${key}`)}
            required={(REQUIRED as readonly string[]).includes(key)}
            type={key === "email" ? "email" : key === "phone" || key === "phone_cc" ? "tel" : "text"}
            maxLength={key === "country" ? 2 : key === "phone" || key === "phone_cc" ? 15 : 200}
            value={values[key] ?? ""}
            onChange={(e) => set(key, e.target.value)}
          />
        ))}
      </div>
      <ErrorNotice error={save.error} />
      <div className="inline-actions">
        <Button type="submit" variant="secondary" busy={save.isPending}>
          {t("domains.saveRegistrant")}
        </Button>
      </div>
    </form>
  );
}
