// Item 1: one search over clients, invoices (number, payment reference, amount), services and tickets.
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { ErrorNotice, PageHeader, Spinner } from "@/components/ui";
import { useSearch } from "@/features/staff/api";
import { SearchBox } from "@/features/staff/components/search-box";
import { SearchResults } from "@/features/staff/components/search-results";

export default function StaffSearchRoute() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const q = params.get("q") ?? "";
  const search = useSearch(q);
  return (
    <>
      <PageHeader title={t("console.search.title")} subtitle={q ? t("console.search.for", { q }) : undefined} />
      <SearchBox key={q} initial={q} />
      {search.isFetching && !search.data ? <Spinner /> : search.isError ? <ErrorNotice error={search.error} /> : search.data ? <SearchResults results={search.data} /> : null}
    </>
  );
}
