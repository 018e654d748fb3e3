// /staff/status: the status page's console (issue 17, S-4): incidents (declare, post updates, resolve), maintenance
// windows and the servers' health probes. What staff do here shows on the public /status page and on the affected
// clients' service pages.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { ErrorNotice, PageHeader, Spinner } from "@/components/ui";

import { useServers } from "../api/console";
import { IncidentsCard } from "../components/incidents-card";
import { MaintenanceCard } from "../components/maintenance-card";
import { ServersCard } from "../components/servers-card";
import "../status.css";

export default function StaffStatusRoute() {
  const { t } = useTranslation();
  const servers = useServers();
  return (
    <>
      <PageHeader title={t("status_console.title")} subtitle={t("status_console.lead")} actions={<Link to="/status">{t("status_console.public")}</Link>} />
      {servers.isPending ? (
        <Spinner />
      ) : servers.isError ? (
        <ErrorNotice error={servers.error} />
      ) : (
        <>
          <IncidentsCard servers={servers.data} />
          <MaintenanceCard servers={servers.data} />
          <ServersCard servers={servers.data} />
        </>
      )}
    </>
  );
}
