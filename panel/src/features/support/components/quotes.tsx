// S-6: a quote staff sent; accepting it places the order and billing issues the invoice.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Button, Card, DefinitionList, ErrorNotice, Notice } from "@/components/ui";
import { formatDate } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useAcceptQuote, type Quote } from "../api";
import { SupportBadge } from "./parts";

export function QuoteCard({ quote }: { quote: Quote }) {
  const { t } = useTranslation();
  const accept = useAcceptQuote();
  return (
    <Card title={t("support.quote", { number: quote.number })} actions={<SupportBadge group="quoteStatuses" status={quote.status} />}>
      <div data-testid="quote">
        <p className="row-title">{quote.title}</p>
        <table className="table">
          <tbody>
            {quote.lines.map((line, index) => (
              <tr key={index}>
                <td>
                  {line.quantity > 1 ? `${line.quantity} × ` : ""}
                  {line.description}
                </td>
                <td className="num">
                  <Amount value={line.amount} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <DefinitionList
          items={[
            [t("support.total"), <Amount key="t" value={quote.total} />],
            [t("support.validUntil"), formatDate(quote.valid_until, locale())],
          ]}
        />
        {quote.status === "sent" && (
          <Button onClick={() => accept.mutate(quote.id)} busy={accept.isPending}>
            {t("support.accept")}
          </Button>
        )}
        {quote.status === "accepted" && (
          <Notice tone="ok">
            {t("support.accepted")} <Link to="/invoices">{t("support.seeInvoices")}</Link>
          </Notice>
        )}
        <ErrorNotice error={accept.error} />
      </div>
    </Card>
  );
}
