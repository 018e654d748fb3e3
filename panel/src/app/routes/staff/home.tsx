// Item 6: what needs a person today, and twelve months of invoiced and collected money.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Card, ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useMonthlyFigures, useWork } from "@/features/staff/api";
import { RevenueChart } from "@/features/staff/components/revenue-chart";
import { SearchBox } from "@/features/staff/components/search-box";

export default function StaffHomeRoute() {
  const { t } = useTranslation();
  const work = useWork();
  const figures = useMonthlyFigures();
  const tiles = work.data
    ? [
        { key: "transfers", count: work.data.transfers_to_confirm, to: "/staff/billing" },
        { key: "failedActions", count: work.data.failed_actions, to: "/staff/provisioning" },
        { key: "overdueTasks", count: work.data.overdue_tasks, to: "/staff/provisioning" },
        { key: "dueThisWeek", count: work.data.invoices_due_this_week, to: "/staff/billing?status=unpaid" },
        { key: "overdueInvoices", count: work.data.overdue_invoices, to: "/staff/billing?status=unpaid" },
        { key: "identity", count: work.data.identity_reviews, to: "/staff/identity" },
      ]
    : [];
  return (
    <>
      <PageHeader title={t("console.home.title")} subtitle={t("console.home.lead")} />
      <SearchBox autoFocus />
      <Card title={t("console.home.today")}>
        {work.isPending ? (
          <Spinner />
        ) : work.isError ? (
          <ErrorNotice error={work.error} />
        ) : (
          <ul className="work-tiles">
            {tiles.map((tile) => (
              <li key={tile.key} className={tile.count ? "work-tile work-tile-due" : "work-tile"} data-testid={`work-${tile.key}`}>
                <Link to={tile.to}>
                  <span className="work-count">{tile.count}</span>
                  <span>{t(`console.home.work.${tile.key}`, { count: tile.count })}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={t("console.home.chart")}>
        {figures.isPending ? <Spinner /> : figures.isError ? <ErrorNotice error={figures.error} /> : <RevenueChart figures={figures.data} />}
      </Card>
    </>
  );
}
