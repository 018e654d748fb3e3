// The ideas board (S-5), shared by the client's page and the staff console: filter by status, most voted first.
// Clients vote once per idea (not their own vote twice: the service answers 409 to a second one); staff move an idea
// on to planned or shipped.
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, EmptyState, ErrorNotice, SelectField, Spinner } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { IDEA_STATUSES, useIdeas, useSetIdeaStatus, useVote, type Idea, type IdeaStatus } from "../api";

const TONE: Record<string, string> = { open: "muted", approved: "ok", planned: "warn", shipped: "ok" };

function ClientActions({ idea }: { idea: Idea }) {
  const { t } = useTranslation();
  const vote = useVote();
  if (idea.voted) return <span className="badge badge-ok">{t("ideas.voted")}</span>;
  return (
    <>
      <Button variant="secondary" className="btn-small" aria-label={t("ideas.voteFor", { title: idea.title })} busy={vote.isPending} onClick={() => vote.mutate(idea.id)}>
        {t("ideas.vote")}
      </Button>
      <ErrorNotice error={vote.error} />
    </>
  );
}

function StaffActions({ idea }: { idea: Idea }) {
  const { t } = useTranslation();
  const set = useSetIdeaStatus();
  return (
    <>
      {(idea.status === "open" || idea.status === "approved") && (
        <Button variant="secondary" className="btn-small" busy={set.isPending} onClick={() => set.mutate({ id: idea.id, status: "planned" })}>
          {t("ideas.console.plan")}
        </Button>
      )}
      {idea.status !== "shipped" && (
        <Button variant="secondary" className="btn-small" busy={set.isPending} onClick={() => set.mutate({ id: idea.id, status: "shipped" })}>
          {t("ideas.console.ship")}
        </Button>
      )}
      <ErrorNotice error={set.error} />
    </>
  );
}

export function IdeasBoard({ staff }: { staff: boolean }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<IdeaStatus | null>(null);
  const ideas = useIdeas(status);
  return (
    <Card title={t("ideas.board")}>
      <div className="filters">
        <SelectField label={t("ideas.filter")} value={status ?? ""} onChange={(e) => setStatus((e.target.value || null) as IdeaStatus | null)}>
          <option value="">{t("ideas.all")}</option>
          {IDEA_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`ideas.statuses.${s}`)}
            </option>
          ))}
        </SelectField>
      </div>
      {ideas.isPending ? (
        <Spinner />
      ) : ideas.isError ? (
        <ErrorNotice error={ideas.error} />
      ) : ideas.data.length === 0 ? (
        <EmptyState title={t("ideas.none")} />
      ) : (
        <ul className="rows">
          {ideas.data.map((idea) => (
            <li key={idea.id} className="row" data-testid="idea">
              <div>
                <span>
                  <span className="row-title">{idea.title}</span>{" "}
                  <span className={`badge badge-${TONE[idea.status] ?? "muted"}`} data-status={idea.status}>
                    {t(`ideas.statuses.${idea.status}`, { defaultValue: idea.status })}
                  </span>{" "}
                  {idea.mine && <span className="badge badge-muted">{t("ideas.mine")}</span>}
                </span>
                {idea.body && <p className="idea-body">{idea.body}</p>}
                <span className="row-sub">
                  <span data-testid="idea-votes">{t("ideas.votes", { count: idea.votes })}</span> ·{" "}
                  {t("ideas.postedOn", { when: formatDate(idea.created_at, locale()) })}
                </span>
              </div>
              <div className="row-end inline-actions">{staff ? <StaffActions idea={idea} /> : <ClientActions idea={idea} />}</div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
