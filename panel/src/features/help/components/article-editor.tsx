// Staff write or edit a knowledge-base article in Markdown (support-svc sanitises it when rendering) and publish it
// or keep it as a draft. Opened empty, from an article, or from a search that found nothing (its words as the title).
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, SelectField, Spinner } from "@/components/ui";

import { useCategories, useEditedArticle, useSaveArticle, type ArticleWrite } from "../api/console";

export type Draft = { id: string | null; seed?: Partial<ArticleWrite> };

export function slugOf(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

const BLANK: ArticleWrite = { slug: "", language: "es", category: "", title: "", body_md: "", published: true };

export function ArticleEditor({ draft, onDone }: { draft: Draft; onDone: () => void }) {
  const { t } = useTranslation();
  const categories = useCategories();
  const existing = useEditedArticle(draft.id);
  const save = useSaveArticle();
  const [form, setForm] = useState<ArticleWrite>({ ...BLANK, ...draft.seed });
  const [slugTouched, setSlugTouched] = useState(!!draft.id);
  useEffect(() => {
    if (existing.data) {
      const a = existing.data;
      setForm({ slug: a.slug, language: a.language as ArticleWrite["language"], category: a.category, title: a.title, body_md: a.body_md, published: a.published });
    }
  }, [existing.data]);
  if (draft.id && existing.isPending) return <Spinner />;
  const set = <K extends keyof ArticleWrite>(key: K, value: ArticleWrite[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ id: draft.id, body: { ...form, title: form.title.trim() } }, { onSuccess: onDone });
  };
  return (
    <Card title={draft.id ? t("help.console.editArticle") : t("help.console.newArticle")}>
      <ErrorNotice error={existing.error} />
      <form className="form" onSubmit={submit} aria-label={t("help.console.editor")}>
        <Field
          label={t("help.console.articleTitle")}
          required
          maxLength={200}
          value={form.title}
          onChange={(e) => {
            set("title", e.target.value);
            if (!slugTouched) set("slug", slugOf(e.target.value));
          }}
        />
        <div className="form-row">
          <Field
            label={t("help.console.slug")}
            required
            maxLength={100}
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            value={form.slug}
            onChange={(e) => {
              setSlugTouched(true);
              set("slug", e.target.value);
            }}
          />
          <SelectField label={t("help.console.language")} value={form.language} onChange={(e) => set("language", e.target.value as ArticleWrite["language"])}>
            <option value="es">Español</option>
            <option value="en">English</option>
          </SelectField>
          <SelectField label={t("help.console.category")} required value={form.category} onChange={(e) => set("category", e.target.value)}>
            <option value="">{t("help.console.chooseCategory")}</option>
            {(categories.data ?? []).map((c) => (
              <option key={c.slug} value={c.slug}>
                {form.language === "en" ? c.name_en : c.name_es}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="field">
          <label htmlFor="article-body">{t("help.console.body")}</label>
          <textarea id="article-body" className="code-area" rows={14} required maxLength={100000} value={form.body_md} onChange={(e) => set("body_md", e.target.value)} />
          <p className="field-hint">{t("help.console.bodyHint")}</p>
        </div>
        <label className="check-row">
          <input type="checkbox" checked={form.published ?? true} onChange={(e) => set("published", e.target.checked)} /> {t("help.console.published")}
        </label>
        <ErrorNotice error={save.error} />
        {save.isSuccess && <Notice tone="ok">{t("common.saved")}</Notice>}
        <div className="inline-actions">
          <Button type="submit" busy={save.isPending}>
            {t("common.save")}
          </Button>
          <Button variant="ghost" onClick={onDone}>
            {t("common.close")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
