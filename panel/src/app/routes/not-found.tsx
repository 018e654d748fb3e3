import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { EmptyState } from "@/components/ui";

export default function NotFoundRoute() {
  const { t } = useTranslation();
  return (
    <EmptyState title={t("common.notFound")}>
      <Link to="/" className="btn btn-primary">
        {t("nav.home")}
      </Link>
    </EmptyState>
  );
}
