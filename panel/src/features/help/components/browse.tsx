// Browse the knowledge base by topic (S-5): the categories, and the chosen one's published articles in the reader's
// language (?topic=<slug> in the address, so a topic can be linked).
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Card, EmptyState, ErrorNotice, Spinner } from "@/components/ui";

import { useCategoryArticles, useKbCategories, type Language } from "../api";

export function Browse() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const topic = params.get("topic") ?? "";
  const language: Language = i18n.language === "en" ? "en" : "es";
  const categories = useKbCategories();
  const articles = useCategoryArticles(topic, language);
  const choose = (slug: string) => {
    const next = new URLSearchParams(params);
    next.set("topic", slug);
    setParams(next, { replace: true });
  };
  if (categories.isError) return <ErrorNotice error={categories.error} />;
  if (!categories.data || categories.data.length === 0) return null;
  return (
    <Card title={t("help.topics")}>
      <ul className="help-topics" aria-label={t("help.topics")}>
        {categories.data.map((c) => (
          <li key={c.slug}>
            <button type="button" className={`btn btn-small ${c.slug === topic ? "btn-primary" : "btn-secondary"}`} aria-pressed={c.slug === topic} onClick={() => choose(c.slug)}>
              {language === "en" ? c.name_en : c.name_es}
            </button>
          </li>
        ))}
      </ul>
      {topic &&
        (articles.isPending ? (
          <Spinner />
        ) : articles.isError ? (
          <ErrorNotice error={articles.error} />
        ) : articles.data.length === 0 ? (
          <EmptyState title={t("help.noTopicArticles")} />
        ) : (
          <ul className="help-hits">
            {articles.data.map((a) => (
              <li key={a.id} data-testid="kb-topic-article">
                <Link to={`/help/articles/${a.id}`} className="row-title">
                  {a.title}
                </Link>
                <p>{a.excerpt}</p>
              </li>
            ))}
          </ul>
        ))}
    </Card>
  );
}
