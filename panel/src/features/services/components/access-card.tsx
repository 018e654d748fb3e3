import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Button, Card, CopyButton, ErrorNotice, Spinner } from "@/components/ui";

import { useServiceAccess } from "../api";

/** P-7: the access data is fetched only when the client asks to see it, and hidden again on request. */
export function AccessCard({ serviceId, available }: { serviceId: string; available: boolean }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  const access = useServiceAccess(serviceId, shown);
  const data = access.data?.access;
  return (
    <Card
      title={t("services.access")}
      actions={
        available && (
          <Button variant="secondary" className="btn-small" aria-expanded={shown} onClick={() => setShown(!shown)}>
            {shown ? t("services.hideAccess") : t("services.showAccess")}
          </Button>
        )
      }
    >
      {!available ? (
        <p className="muted">{t("services.accessWhenActive")}</p>
      ) : !shown ? (
        <p className="muted">{t("services.accessHidden")}</p>
      ) : access.isPending ? (
        <Spinner />
      ) : access.isError ? (
        <ErrorNotice error={access.error} />
      ) : !data ? (
        <p className="muted">{t("services.accessNotYet")}</p>
      ) : (
        <dl className="deflist" data-testid="access-data">
          {data.panel_url && (
            <div>
              <dt>{t("services.panelUrl")}</dt>
              <dd className="inline-actions">
                <a href={data.panel_url} target="_blank" rel="noreferrer">
                  {data.panel_url}
                </a>
              </dd>
            </div>
          )}
          {data.username && (
            <div>
              <dt>{t("services.username")}</dt>
              <dd className="inline-actions">
                <span className="secret">{data.username}</span>
                <CopyButton value={data.username} label={t("services.username")} />
              </dd>
            </div>
          )}
          {data.password && (
            <div>
              <dt>{t("fields.password")}</dt>
              <dd className="inline-actions">
                <span className="secret">{data.password}</span>
                <CopyButton value={data.password} label={t("fields.password")} />
              </dd>
            </div>
          )}
          {data.manual_url && (
            <div>
              <dt>{t("services.manual")}</dt>
              <dd>
                <a href={data.manual_url} target="_blank" rel="noreferrer">
                  {t("services.openManual")}
                </a>
              </dd>
            </div>
          )}
          {(data.downloads ?? []).length > 0 && (
            <div>
              <dt>{t("services.downloads")}</dt>
              <dd>
                <ul className="plain-list">
                  {(data.downloads ?? []).map((d, i) => {
                    const item = d as { name?: string; url?: string };
                    return (
                      <li key={i}>
                        <a href={item.url} target="_blank" rel="noreferrer">
                          {item.name ?? item.url}
                        </a>
                      </li>
                    );
                  })}
                </ul>
              </dd>
            </div>
          )}
        </dl>
      )}
    </Card>
  );
}
