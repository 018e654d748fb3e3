import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Notice, SelectField, Spinner } from "@/components/ui";
import { usePreviewTemplate, useResetTemplate, useSaveTemplate, useTemplate, useTemplates } from "@/features/settings/api/more";

/** N-1, N-2: a kind's templates in a language, previewed with sample figures; admins save them (audited). */
export function TemplatesCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const list = useTemplates();
  const kinds = [...new Set((list.data ?? []).map((item) => item.kind))];
  const [kind, setKind] = useState("invoice_issued");
  const [language, setLanguage] = useState("es");
  const current = useTemplate(kind, language);
  const [text, setText] = useState("");
  const [html, setHtml] = useState("");
  useEffect(() => {
    if (current.data) {
      setText(current.data.text_source);
      setHtml(current.data.html_source);
    }
  }, [current.data]);
  const preview = usePreviewTemplate(kind, language);
  const save = useSaveTemplate(kind, language);
  const reset = useResetTemplate(kind, language);
  if (list.isPending) return <Spinner />;
  if (list.isError) return <ErrorNotice error={list.error} />;
  return (
    <div className="form">
      <div className="form-row">
        <SelectField label={t("staffSettings.templates.kind")} value={kind} onChange={(e) => setKind(e.target.value)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("staffSettings.templates.language")} value={language} onChange={(e) => setLanguage(e.target.value)}>
          <option value="es">Español</option>
          <option value="en">English</option>
        </SelectField>
      </div>
      {current.data && (
        <p className="muted">{t(`staffSettings.templates.source.${current.data.source}`)}</p>
      )}
      <div className="field">
        <label htmlFor="template-text">{t("staffSettings.templates.text")}</label>
        <textarea id="template-text" className="code-area" rows={12} readOnly={!editable} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="template-html">{t("staffSettings.templates.html")}</label>
        <textarea id="template-html" className="code-area" rows={8} readOnly={!editable} value={html} onChange={(e) => setHtml(e.target.value)} />
      </div>
      <ErrorNotice error={preview.error ?? save.error ?? reset.error} />
      {save.isSuccess && <Notice tone="ok">{t("staffSettings.templates.saved")}</Notice>}
      <div className="page-actions">
        <Button variant="secondary" busy={preview.isPending} onClick={() => preview.mutate({ text_source: text, html_source: html })}>
          {t("staffSettings.templates.preview")}
        </Button>
        {editable && (
          <Button busy={save.isPending} onClick={() => save.mutate({ text_source: text, html_source: html })}>
            {t("staffSettings.templates.save")}
          </Button>
        )}
        {editable && current.data?.source === "console" && (
          <Button variant="ghost" busy={reset.isPending} onClick={() => reset.mutate()}>
            {t("staffSettings.templates.reset")}
          </Button>
        )}
      </div>
      {preview.data && (
        <section className="template-preview" aria-label={t("staffSettings.templates.previewTitle")}>
          <p>
            <strong>{t("staffSettings.templates.subject")}:</strong> <span data-testid="preview-subject">{preview.data.subject}</span>
          </p>
          <pre className="code-area">{preview.data.text}</pre>
          {/* The panel's CSP frames nothing and runs no inline style: the rendered HTML part is shown as code. */}
          <details>
            <summary>{t("staffSettings.templates.previewHtml")}</summary>
            <pre className="code-area">{preview.data.html}</pre>
          </details>
        </section>
      )}
    </div>
  );
}
