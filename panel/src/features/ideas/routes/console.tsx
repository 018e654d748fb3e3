// /staff/ideas: the clients' ideas in the staff console (issue 17, S-5): mark them planned or shipped.
import { useTranslation } from "react-i18next";

import { PageHeader } from "@/components/ui";

import { IdeasBoard } from "../components/board";
import "../ideas.css";

export default function StaffIdeasRoute() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t("ideas.console.title")} subtitle={t("ideas.console.lead")} />
      <IdeasBoard staff />
    </>
  );
}
