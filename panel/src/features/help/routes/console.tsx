// /staff/kb: the knowledge base's console (issue 17, S-5): articles (drafts too) to write, edit and publish in
// Markdown, categories, and the searches that found nothing, each a button to write the article it asks for.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, PageHeader, Spinner } from "@/components/ui";
import { formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useAllArticles, useCategories, useMissedSearches, usePutCategory } from "../api/console";
import { ArticleEditor, slugOf, type Draft } from "../components/article-editor";
import "../help.css";

function Articles({ onEdit }: { onEdit: (draft: Draft) => void }) {
  const { t } = useTranslation();
  const articles = useAllArticles();
  return (
    <Card title={t("help.console.articles")} actions={<Button className="btn-small" onClick={() => onEdit({ id: null })}>{t("help.console.newArticle")}</Button>}>
      {articles.isPending ? (
        <Spinner />
      ) : articles.isError ? (
        <ErrorNotice error={articles.error} />
      ) : articles.data.length === 0 ? (
        <EmptyState title={t("help.console.noArticles")} />
      ) : (
        <ul className="rows">
          {articles.data.map((a) => (
            <li key={a.id} className="row" data-testid="kb-article">
              <div>
                <span className="row-title">{a.title}</span>
                <span className="row-sub">
                  {a.language.toUpperCase()} · {a.category} · {formatDateTime(a.updated_at, locale())} ·{" "}
                  <span className={`badge badge-${a.published ? "ok" : "muted"}`}>{a.published ? t("help.console.isPublished") : t("help.console.draft")}</span>
                </span>
              </div>
              <div className="row-end inline-actions">
                {a.published && <Link to={`/help/articles/${a.id}`}>{t("help.console.view")}</Link>}
                <Button variant="secondary" className="btn-small" aria-label={t("help.console.editNamed", { title: a.title })} onClick={() => onEdit({ id: a.id })}>
                  {t("help.console.edit")}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function Missed({ onWrite }: { onWrite: (draft: Draft) => void }) {
  const { t } = useTranslation();
  const missed = useMissedSearches();
  return (
    <Card title={t("help.console.missed")}>
      <p className="muted">{t("help.console.missedLead")}</p>
      {missed.isPending ? (
        <Spinner />
      ) : missed.isError ? (
        <ErrorNotice error={missed.error} />
      ) : missed.data.length === 0 ? (
        <EmptyState title={t("help.console.noMissed")} />
      ) : (
        <ul className="rows">
          {missed.data.map((m) => (
            <li key={`${m.query}-${m.language ?? ""}`} className="row" data-testid="kb-missed">
              <div>
                <span className="row-title">«{m.query}»</span>
                <span className="row-sub">
                  {t("help.console.times", { count: m.count })} · {formatDateTime(m.last_searched_at, locale())}
                  {m.language && ` · ${m.language.toUpperCase()}`}
                </span>
              </div>
              <Button
                variant="secondary"
                className="btn-small"
                aria-label={t("help.console.writeFor", { query: m.query })}
                onClick={() => onWrite({ id: null, seed: { title: m.query, slug: slugOf(m.query), language: m.language === "en" ? "en" : "es" } })}
              >
                {t("help.console.write")}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function Categories() {
  const { t } = useTranslation();
  const categories = useCategories();
  const put = usePutCategory();
  const [es, setEs] = useState("");
  const [en, setEn] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    put.mutate({ slug: slugOf(es), name_es: es.trim(), name_en: en.trim() }, { onSuccess: () => { setEs(""); setEn(""); } });
  };
  return (
    <Card title={t("help.console.categories")}>
      {categories.data && categories.data.length > 0 && (
        <p>{categories.data.map((c) => `${c.name_es} / ${c.name_en}`).join(" · ")}</p>
      )}
      <ErrorNotice error={categories.error} />
      <form className="form" onSubmit={submit} aria-label={t("help.console.newCategory")}>
        <div className="form-row">
          <Field label={t("help.console.nameEs")} required maxLength={200} value={es} onChange={(e) => setEs(e.target.value)} />
          <Field label={t("help.console.nameEn")} required maxLength={200} value={en} onChange={(e) => setEn(e.target.value)} />
        </div>
        <ErrorNotice error={put.error} />
        <div>
          <Button type="submit" variant="secondary" busy={put.isPending}>
            {t("help.console.addCategory")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export default function StaffKbRoute() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft | null>(null);
  const edit = (next: Draft) => {
    setDraft(next);
    window.scrollTo(0, 0);
  };
  return (
    <>
      <PageHeader title={t("help.console.title")} subtitle={t("help.console.lead")} />
      {draft && <ArticleEditor key={`${draft.id ?? "new"}-${draft.seed?.title ?? ""}`} draft={draft} onDone={() => setDraft(null)} />}
      <Missed onWrite={edit} />
      <Articles onEdit={edit} />
      <Categories />
    </>
  );
}
