// /help/articles/:id: one knowledge-base article. Its HTML is rendered from Markdown and sanitised by support-svc
// (markdown-it with raw HTML off, then nh3's allow-list), so it is shown as given.
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Card, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { formatDate } from "@/lib/format";

import { useArticle } from "../api";
import "../help.css";

export default function HelpArticleRoute() {
  const { t, i18n } = useTranslation();
  const { id = "" } = useParams();
  const article = useArticle(id);
  if (article.isPending) return <Spinner />;
  if (article.isError) return <ErrorNotice error={article.error} />;
  return (
    <>
      <PageHeader
        title={article.data.title}
        subtitle={formatDate(article.data.updated_at, i18n.language)}
        actions={
          <Link className="btn btn-secondary" to="/help">
            {t("help.backToHelp")}
          </Link>
        }
      />
      <Card>
        <div className="help-article" lang={article.data.language} dangerouslySetInnerHTML={{ __html: article.data.html }} />
      </Card>
    </>
  );
}
