import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, EmptyState, ErrorNotice, Field, Notice } from "@/components/ui";
import { useSaveTransfers, type TransferInstruction } from "@/features/settings/api";

const EMPTY: TransferInstruction = {
  currency: "ARS",
  country: "*",
  bank_name: "",
  account_holder: "",
  account_number: "",
  alias: "",
  swift: "",
  holder_tax_id: "",
  notes: "",
};

/** B-19: where clients transfer, per currency and client country ("*": any other country). */
export function TransfersForm({ value, editable }: { value: TransferInstruction[]; editable: boolean }) {
  const { t } = useTranslation();
  const save = useSaveTransfers();
  const [rows, setRows] = useState<TransferInstruction[]>(value);
  useEffect(() => setRows(value), [value]);
  const edit = (index: number, field: keyof TransferInstruction, text: string) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, [field]: text } : row)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ transfer_instructions: rows });
  };
  const text = (index: number, field: keyof TransferInstruction, label: string, extra: Record<string, unknown> = {}) => (
    <Field
      label={label}
      readOnly={!editable}
      value={String(rows[index]?.[field] ?? "")}
      onChange={(e) => edit(index, field, field === "currency" || field === "country" ? e.target.value.toUpperCase() : e.target.value)}
      {...extra}
    />
  );
  return (
    <form className="form" onSubmit={submit}>
      {rows.length === 0 && <EmptyState title={t("staffSettings.transfers.none")} />}
      {rows.map((row, index) => (
        <fieldset className="settings-fieldset" key={index}>
          <legend>
            {row.currency} · {row.country === "*" ? t("staffSettings.transfers.anyCountry") : row.country}
          </legend>
          <div className="form-row">
            {text(index, "currency", t("staffSettings.transfers.currency"), { required: true, pattern: "[A-Z]{3}", maxLength: 3 })}
            {text(index, "country", t("staffSettings.transfers.country"), {
              required: true,
              pattern: "([A-Z]{2}|\\*)",
              maxLength: 2,
              hint: t("staffSettings.transfers.countryHint"),
            })}
          </div>
          <div className="form-row">
            {text(index, "bank_name", t("staffSettings.transfers.bank"), { required: true, maxLength: 120 })}
            {text(index, "account_holder", t("staffSettings.transfers.holder"), { required: true, maxLength: 120 })}
          </div>
          <div className="form-row">
            {text(index, "account_number", t("staffSettings.transfers.account"), { required: true, maxLength: 60 })}
            {text(index, "alias", t("staffSettings.transfers.alias"), { maxLength: 60 })}
          </div>
          <div className="form-row">
            {text(index, "swift", t("staffSettings.transfers.swift"), { maxLength: 11 })}
            {text(index, "holder_tax_id", t("staffSettings.transfers.taxId"), { maxLength: 40 })}
          </div>
          {text(index, "notes", t("staffSettings.transfers.notes"), { maxLength: 1000 })}
          {editable && (
            <Button variant="ghost" onClick={() => setRows(rows.filter((_, i) => i !== index))}>
              {t("staffSettings.transfers.remove")}
            </Button>
          )}
        </fieldset>
      ))}
      {save.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
      <ErrorNotice error={save.error} />
      {editable && (
        <div className="page-actions">
          <Button variant="secondary" onClick={() => setRows([...rows, EMPTY])}>
            {t("staffSettings.transfers.add")}
          </Button>
          <Button type="submit" busy={save.isPending}>
            {t("staffSettings.transfers.save")}
          </Button>
        </div>
      )}
    </form>
  );
}
