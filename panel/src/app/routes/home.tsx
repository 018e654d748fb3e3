import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Button, Card, EmptyState, ErrorNotice, Notice, PageHeader, Spinner, StatusBadge } from "@/components/ui";
import { useMe } from "@/features/auth/api";
import { resendVerification } from "@/features/auth/api/accounts";
import { useCredit } from "@/features/credit/api";
import { useInvoices } from "@/features/invoices/api";
import { useInbox } from "@/features/notifications/api";
import { useBillingServices, useProvisionedServices } from "@/features/services/api";
import { mergeServices } from "@/features/services/api/merge";
import { daysUntil, formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

const STATES = ["active", "pending", "suspended"] as const;

export default function HomeRoute() {
  const { t } = useTranslation();
  const me = useMe();
  const billing = useBillingServices();
  const provisioned = useProvisionedServices();
  const invoices = useInvoices();
  const credit = useCredit();
  const inbox = useInbox(5);
  const resend = useMutation({ mutationFn: resendVerification });
  const services = billing.data ? mergeServices(billing.data, provisioned.data) : [];
  const unpaid = (invoices.data ?? []).filter((i) => i.status === "unpaid").sort((a, b) => a.due_on.localeCompare(b.due_on));
  const renewals = services
    .filter((s) => s.renew && !s.ends_on && (s.state === "active" || s.state === "suspended"))
    .sort((a, b) => a.next_due_on.localeCompare(b.next_due_on))
    .slice(0, 5);
  const balances = credit.data?.balances.filter((b) => b.amount_minor !== 0) ?? [];
  return (
    <>
      <PageHeader title={t("home.greeting", { name: me.data?.name.split(" ")[0] ?? "" })} subtitle={t("home.lead")} />
      {me.data && !me.data.email_verified_at && (
        <Notice tone="warn" title={t("home.verifyTitle")}>
          <p>{t("home.verifyLead", { email: me.data.email })}</p>
          {resend.isSuccess ? (
            <p>{t("home.verifyResent")}</p>
          ) : (
            <Button variant="secondary" className="btn-small" busy={resend.isPending} onClick={() => resend.mutate()}>
              {t("home.verifyResend")}
            </Button>
          )}
          <ErrorNotice error={resend.error} />
        </Notice>
      )}
      <div className="stats" aria-label={t("home.servicesByState")} role="group">
        {STATES.map((state) => (
          <Link key={state} to={`/services?state=${state}`} className={`stat stat-${state}`}>
            <span className="stat-value" data-testid={`count-${state}`}>
              {billing.isPending ? "…" : services.filter((s) => s.state === state).length}
            </span>
            <span className="stat-label">{t(`home.state.${state}`)}</span>
          </Link>
        ))}
        <Link to="/credit" className="stat stat-credit">
          <span className="stat-value">
            {balances.length ? balances.map((b) => <Amount key={b.currency} value={b} />) : "0"}
          </span>
          <span className="stat-label">{t("nav.credit")}</span>
        </Link>
      </div>
      <div className="grid-2">
        <Card title={t("home.unpaid")} actions={<Link to="/invoices?status=unpaid">{t("common.seeAll")}</Link>}>
          {invoices.isPending ? (
            <Spinner />
          ) : unpaid.length === 0 ? (
            <EmptyState title={t("home.allPaid")} />
          ) : (
            <ul className="rows">
              {unpaid.map((invoice) => {
                const days = daysUntil(invoice.due_on);
                return (
                  <li key={invoice.id} className="row">
                    <div>
                      <Link to={`/invoices/${invoice.id}`} className="row-title">
                        {t("invoices.number", { number: invoice.number })}
                      </Link>
                      <span className={`row-sub ${days < 0 ? "text-bad" : ""}`}>
                        {days < 0 ? t("invoices.overdueSince", { date: formatDate(invoice.due_on, locale()) }) : t("invoices.dueOn", { date: formatDate(invoice.due_on, locale()) })}
                      </span>
                    </div>
                    <div className="row-end">
                      <Amount value={invoice.total_due} />
                      <Link className="btn btn-primary btn-small" to={`/invoices/${invoice.id}`}>
                        {t("invoices.pay")}
                      </Link>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        <Card title={t("home.renewals")} actions={<Link to="/services">{t("common.seeAll")}</Link>}>
          {billing.isPending ? (
            <Spinner />
          ) : renewals.length === 0 ? (
            <EmptyState title={t("home.noRenewals")}>
              <Link to="/order" className="btn btn-secondary btn-small">
                {t("home.orderCta")}
              </Link>
            </EmptyState>
          ) : (
            <ul className="rows">
              {renewals.map((service) => (
                <li key={service.id} className="row">
                  <div>
                    <Link to={`/services/${service.id}`} className="row-title">
                      {service.product_name}
                    </Link>
                    <span className="row-sub">
                      {service.domain ? `${service.domain} · ` : ""}
                      {t("services.renewsOn", { date: formatDate(service.next_due_on, locale()) })}
                    </span>
                  </div>
                  <div className="row-end">
                    {service.price && <Amount value={service.price} />}
                    <StatusBadge kind="service" status={service.state} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <Card title={t("home.latestNotifications")} actions={<Link to="/notifications">{t("common.seeAll")}</Link>}>
        {inbox.isPending ? (
          <Spinner />
        ) : !inbox.data?.items.length ? (
          <EmptyState title={t("notifications.empty")} />
        ) : (
          <ul className="rows">
            {inbox.data.items.map((message) => (
              <li key={message.id} className={`row ${message.read_at ? "" : "unread"}`}>
                <div>
                  <Link to={`/notifications?open=${message.id}`} className="row-title">
                    {message.subject}
                  </Link>
                  <span className="row-sub">{formatDateTime(message.created_at, locale())}</span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
