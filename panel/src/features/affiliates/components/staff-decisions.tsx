// Staff's decisions on the affiliate program, one item each: a held attribution (approve or refuse with a reason),
// a bank withdrawal (approve, mark paid with the transfer reference, reject with a reason).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Button, ErrorNotice, Field } from "@/components/ui";
import { useDecideAttribution, useDecideWithdrawal, type StaffAttribution, type StaffWithdrawal } from "@/features/affiliates/api/staff";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { locale } from "@/lib/i18n";

const short = (id: string) => id.slice(0, 8);

export function HeldAttribution({ item }: { item: StaffAttribution }) {
  const { t } = useTranslation();
  const decide = useDecideAttribution();
  const [reason, setReason] = useState("");
  const go = (approve: boolean) => decide.mutate({ clientId: item.client_id, approve, reason: reason.trim() });
  return (
    <li className="staff-decision" data-testid="held-attribution">
      <div>
        <strong>{t("affiliates.staff.referred")}</strong> <Link to={`/staff/clients/${item.client_id}`}>{short(item.client_id)}</Link> ·{" "}
        <strong>{t("affiliates.staff.affiliate")}</strong> <Link to={`/staff/affiliates/${item.affiliate_id}`}>{short(item.affiliate_id)}</Link>
        <br />
        <span className="muted">
          {formatDateTime(item.signed_up_at, locale())} · {t(`affiliates.staff.sources.${item.source}`, { defaultValue: item.source })} · {t("affiliates.staff.why")}: {item.reason}
        </span>
      </div>
      <Field label={t("affiliates.staff.reason")} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="inline-actions">
        <Button className="btn-small" disabled={!reason.trim()} busy={decide.isPending && decide.variables?.approve} onClick={() => go(true)}>
          {t("affiliates.staff.approve")}
        </Button>
        <Button className="btn-small" variant="danger" disabled={!reason.trim()} busy={decide.isPending && !decide.variables?.approve} onClick={() => go(false)}>
          {t("affiliates.staff.refuse")}
        </Button>
      </div>
      <ErrorNotice error={decide.error} />
    </li>
  );
}

export function WithdrawalRequest({ item, showAffiliate = true }: { item: StaffWithdrawal; showAffiliate?: boolean }) {
  const { t } = useTranslation();
  const decide = useDecideWithdrawal();
  const [reference, setReference] = useState("");
  const [reason, setReason] = useState("");
  const open = item.status === "requested" || item.status === "approved";
  return (
    <li className="staff-decision" data-testid="withdrawal-request">
      <div>
        <strong>{formatMoney(item.amount, locale())}</strong> · {t(`affiliates.methods.${item.method}`, { defaultValue: item.method })} ·{" "}
        <span className="badge">{t(`affiliates.withdrawalStatus.${item.status}`, { defaultValue: item.status })}</span>
        {showAffiliate && (
          <>
            {" "}· <Link to={`/staff/affiliates/${item.affiliate_id}`}>{t("affiliates.staff.affiliate")} {short(item.affiliate_id)}</Link>
          </>
        )}
        <br />
        <span className="muted">
          {t("affiliates.staff.requestedOn", { date: formatDate(item.requested_at, locale()) })}
          {item.holder_name && ` · ${item.holder_name}`}
          {item.bank && ` · ${item.bank}`}
          {item.account && (
            <>
              {" "}· <code>{item.account}</code>
            </>
          )}
          {item.transfer_reference && ` · ${t("affiliates.staff.reference")}: ${item.transfer_reference}`}
          {item.reject_reason && ` · ${item.reject_reason}`}
        </span>
      </div>
      {open && (
        <div className="staff-decision-actions">
          {item.status === "requested" && (
            <Button className="btn-small" busy={decide.isPending && decide.variables?.action === "approve"} onClick={() => decide.mutate({ id: item.id, action: "approve" })}>
              {t("affiliates.staff.approveWithdrawal")}
            </Button>
          )}
          <div className="affiliates-month">
            <Field label={t("affiliates.staff.reference")} maxLength={200} value={reference} onChange={(e) => setReference(e.target.value)} />
            <Button className="btn-small" disabled={!reference.trim()} busy={decide.isPending && decide.variables?.action === "paid"} onClick={() => decide.mutate({ id: item.id, action: "paid", reference: reference.trim() })}>
              {t("affiliates.staff.markPaid")}
            </Button>
          </div>
          <div className="affiliates-month">
            <Field label={t("affiliates.staff.rejectReason")} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
            <Button className="btn-small" variant="danger" disabled={!reason.trim()} busy={decide.isPending && decide.variables?.action === "reject"} onClick={() => decide.mutate({ id: item.id, action: "reject", reason: reason.trim() })}>
              {t("affiliates.staff.reject")}
            </Button>
          </div>
        </div>
      )}
      <ErrorNotice error={decide.error} />
    </li>
  );
}
