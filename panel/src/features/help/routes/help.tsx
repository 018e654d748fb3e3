// /help: knowledge-base search (S-5) and the help bot (S-8). The bot answers from the knowledge base with its best
// articles and asks whether that solved it; if not, it hands off to a ticket carrying the conversation.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { Button, Card, EmptyState, ErrorNotice, Field, Notice, PageHeader, Spinner } from "@/components/ui";

import { useAsk, useHandoff, useKbSearch, useSolved, type Conversation, type Language } from "../api";
import { Browse } from "../components/browse";
import "../help.css";

function Search() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [text, setText] = useState(q);
  const hits = useKbSearch(q);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  };
  return (
    <Card title={t("help.kb")}>
      <form className="form" role="search" onSubmit={submit}>
        <Field label={t("help.search")} type="search" maxLength={200} value={text} onChange={(e) => setText(e.target.value)} />
        <div>
          <Button type="submit">{t("help.searchButton")}</Button>
        </div>
      </form>
      {q &&
        (hits.isPending ? (
          <Spinner />
        ) : hits.isError ? (
          <ErrorNotice error={hits.error} />
        ) : hits.data.length === 0 ? (
          <EmptyState title={t("help.noResults", { q })} />
        ) : (
          <ul className="help-hits" aria-label={t("help.results")}>
            {hits.data.map((hit) => (
              <li key={hit.id} data-testid="kb-hit">
                <Link to={`/help/articles/${hit.id}`} className="row-title">
                  {hit.title}
                </Link>
                <p>{hit.excerpt}</p>
              </li>
            ))}
          </ul>
        ))}
    </Card>
  );
}

function Chat({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  return (
    <ol className="help-chat" aria-live="polite">
      {conversation.turns.map((turn, index) => (
        <li key={index} className={`help-turn help-turn-${turn.author}`} data-testid="bot-turn">
          <p className="help-who">
            <strong>{turn.author === "client" ? t("help.you") : t("help.assistant")}</strong>
          </p>
          <p>{turn.text}</p>
          {turn.articles.length > 0 && (
            <ul>
              {turn.articles.map((article) => (
                <li key={article.id}>
                  <Link to={`/help/articles/${article.id}`}>{article.title}</Link>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

function Bot() {
  const { t, i18n } = useTranslation();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [question, setQuestion] = useState("");
  const ask = useAsk();
  const solved = useSolved();
  const handoff = useHandoff();
  const open = conversation?.status === "open";
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const language: Language = i18n.language === "en" ? "en" : "es";
    ask.mutate(
      { id: open ? conversation.id : null, message: question.trim(), language },
      { onSuccess: (answer) => { setConversation(answer); setQuestion(""); } },
    );
  };
  return (
    <Card title={t("help.bot")}>
      <p className="muted">{t("help.botLead")}</p>
      {conversation && <Chat conversation={conversation} />}
      {open && conversation.turns.length > 1 && (
        <>
          <div className="help-actions" role="group" aria-label={t("help.solvedQuestion")}>
            <Button variant="secondary" busy={solved.isPending} onClick={() => solved.mutate(conversation.id, { onSuccess: setConversation })}>
              {t("help.solvedYes")}
            </Button>
            <Button busy={handoff.isPending} onClick={() => handoff.mutate(conversation.id, { onSuccess: setConversation })}>
              {t("help.handoff")}
            </Button>
          </div>
        </>
      )}
      {conversation?.status === "solved" && <Notice tone="ok">{t("help.solvedDone")}</Notice>}
      {conversation?.status === "handed_off" && conversation.ticket_id && (
        <Notice tone="ok">
          {t("help.handedOff")} <Link to={`/support/tickets/${conversation.ticket_id}`}>{t("help.seeTicket")}</Link>
        </Notice>
      )}
      <ErrorNotice error={ask.error ?? solved.error ?? handoff.error} />
      <form className="form" onSubmit={submit}>
        <Field
          label={open || !conversation ? t("help.question") : t("help.newQuestion")}
          required
          maxLength={2000}
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
        />
        <div>
          <Button type="submit" busy={ask.isPending}>
            {t("help.ask")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export default function HelpRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader
        title={t("help.title")}
        subtitle={t("help.lead")}
        actions={
          <>
            <Link to="/status">{t("help.statusPage")}</Link>
            <Link to="/ideas">{t("help.ideas")}</Link>
          </>
        }
      />
      <Search />
      <Browse />
      <Bot />
    </>
  );
}
