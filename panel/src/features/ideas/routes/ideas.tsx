// /ideas: the client's ideas board (issue 17, S-5): propose an idea, see the board with each idea's state and votes,
// vote once for the ones you want.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, ErrorNotice, Field, Notice, PageHeader } from "@/components/ui";

import { usePostIdea } from "../api";
import { IdeasBoard } from "../components/board";
import "../ideas.css";

function Propose() {
  const { t } = useTranslation();
  const post = usePostIdea();
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    post.mutate({ title: title.trim(), body: body.trim() }, { onSuccess: () => { setTitle(""); setBody(""); } });
  };
  return (
    <Card title={t("ideas.propose")}>
      <form className="form" onSubmit={submit}>
        <Field label={t("ideas.ideaTitle")} required minLength={3} maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        <div className="field">
          <label htmlFor="idea-body">{t("ideas.ideaBody")}</label>
          <textarea id="idea-body" rows={4} maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} />
        </div>
        <ErrorNotice error={post.error} />
        {post.isSuccess && <Notice tone="ok">{t("ideas.posted")}</Notice>}
        <div>
          <Button type="submit" busy={post.isPending}>
            {t("ideas.send")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export default function IdeasRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("ideas.title")} subtitle={t("ideas.lead")} />
      <Propose />
      <IdeasBoard staff={false} />
    </>
  );
}
