// /affiliates: join the program (F-1), the short link, figures, balances, monthly earnings, the ledger with each
// commission's maturity date (F-2), withdrawals (F-3) and the monthly statement PDF.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount, Button, Card, CopyButton, EmptyState, ErrorNotice, Field, Notice, PageHeader, SelectField, Spinner } from "@/components/ui";
import type { Money } from "@/lib/api/client";
import { formatDate, formatMoney, parseAmount } from "@/lib/format";
import { locale } from "@/lib/i18n";
import { ApiError } from "@/lib/problem";

import { downloadStatement, useAffiliate, useJoin, useLedger, useMonthly, useMyReferrals, useWithdraw, useWithdrawals, type Affiliate } from "../api";
import "../affiliates.css";

type Currency = Money["currency"];

function Chart() {
  const { t } = useTranslation();
  const monthly = useMonthly(true);
  const rows = monthly.data ?? [];
  if (monthly.isPending) return <Spinner />;
  if (rows.length === 0) return <EmptyState title={t("affiliates.noMonthly")} />;
  const max = Math.max(...rows.map((r) => Math.abs(r.earned.amount_minor)), 1);
  return (
    <ul className="bars" aria-label={t("affiliates.monthly")}>
      {rows.slice(-12).map((r) => (
        <li key={`${r.month}-${r.earned.currency}`}>
          <span className="bar-label">{r.month}</span>
          <span className="bar" style={{ width: `${Math.max(2, (Math.abs(r.earned.amount_minor) / max) * 100)}%` }} aria-hidden="true" />
          <Amount value={r.earned} />
        </li>
      ))}
    </ul>
  );
}

function Ledger() {
  const { t } = useTranslation();
  const ledger = useLedger(true);
  if (ledger.isPending) return <Spinner />;
  if (ledger.isError) return <ErrorNotice error={ledger.error} />;
  if (ledger.data.length === 0) return <EmptyState title={t("affiliates.noLedger")} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{t("affiliates.date")}</th>
          <th scope="col">{t("affiliates.concept")}</th>
          <th scope="col">{t("affiliates.maturesOn")}</th>
          <th scope="col" className="num">
            {t("affiliates.amount")}
          </th>
        </tr>
      </thead>
      <tbody>
        {ledger.data.map((e) => (
          <tr key={e.id} data-testid="ledger-row">
            <td>{formatDate(e.created_at, locale())}</td>
            <td>
              {t(`affiliates.entry.${e.entry_type}`, { defaultValue: e.entry_type })}
              <div className="row-sub">{t(`affiliates.${e.bucket}`, { defaultValue: e.bucket })}</div>
            </td>
            <td data-label={t("affiliates.maturesOn")}>{formatDate(e.matures_at, locale())}</td>
            <td className="num">
              <Amount value={e.amount} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Withdraw({ affiliate }: { affiliate: Affiliate }) {
  const { t } = useTranslation();
  const withdraw = useWithdraw();
  const currencies = affiliate.balances.map((b) => b.currency as Currency);
  const [method, setMethod] = useState<"bank" | "credit">("credit");
  const [currency, setCurrency] = useState<Currency>(currencies[0] ?? "USD");
  const [amount, setAmount] = useState("");
  const [holder, setHolder] = useState("");
  const [bank, setBank] = useState("");
  const [account, setAccount] = useState("");
  const minor = parseAmount(amount, currency);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (minor === null) return;
    withdraw.mutate({
      method,
      currency,
      amount_minor: minor,
      bank_account: method === "bank" ? { holder_name: holder, bank, account } : null,
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      <p className="muted">{t("affiliates.withdrawLead")}</p>
      <div className="form-row">
        <SelectField label={t("affiliates.method")} value={method} onChange={(e) => setMethod(e.target.value as "bank" | "credit")}>
          <option value="credit">{t("affiliates.methods.credit")}</option>
          <option value="bank">{t("affiliates.methods.bank")}</option>
        </SelectField>
        <SelectField label={t("affiliates.currency")} value={currency} onChange={(e) => setCurrency(e.target.value as Currency)}>
          {(currencies.length ? currencies : ["USD" as Currency]).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
      </div>
      <Field label={t("affiliates.amountField")} inputMode="decimal" required value={amount} onChange={(e) => setAmount(e.target.value)} error={amount && minor === null ? t("affiliates.badAmount") : null} />
      {method === "bank" && (
        <div className="form-row">
          <Field label={t("affiliates.holder")} required maxLength={200} value={holder} onChange={(e) => setHolder(e.target.value)} />
          <Field label={t("affiliates.bank")} required maxLength={200} value={bank} onChange={(e) => setBank(e.target.value)} />
          <Field label={t("affiliates.account")} required maxLength={64} value={account} onChange={(e) => setAccount(e.target.value)} />
        </div>
      )}
      {withdraw.isSuccess && <Notice tone="ok">{t("affiliates.requested")}</Notice>}
      <ErrorNotice error={withdraw.error} />
      {withdraw.error instanceof ApiError && withdraw.error.code === "identity-not-verified" && (
        <p data-testid="verify-first">
          {t("affiliates.verifyFirst")} <Link to="/identity">{t("affiliates.verifyLink")}</Link>
        </p>
      )}
      <div className="inline-actions">
        <Button type="submit" variant="secondary" busy={withdraw.isPending} disabled={minor === null || minor <= 0}>
          {t("affiliates.request")}
        </Button>
      </div>
    </form>
  );
}

function Statement() {
  const { t } = useTranslation();
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="form">
      <p className="muted">{t("affiliates.statementLead")}</p>
      <div className="affiliates-month">
        <Field label={t("affiliates.month")} type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
        <Button variant="secondary" disabled={!/^\d{4}-\d{2}$/.test(month)} onClick={() => downloadStatement(month).then(() => setError(null), setError)}>
          {t("affiliates.download")}
        </Button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}

function Dashboard({ affiliate }: { affiliate: Affiliate }) {
  const { t } = useTranslation();
  const referrals = useMyReferrals(true);
  const withdrawals = useWithdrawals(true);
  const figures: [string, number][] = [
    [t("affiliates.visits"), affiliate.visits],
    [t("affiliates.signups"), affiliate.signups],
    [t("affiliates.held"), affiliate.held],
    [t("affiliates.conversions"), affiliate.conversions],
  ];
  return (
    <>
      <Card title={t("affiliates.link")}>
        <div className="referral-link">
          <code data-testid="affiliate-link">{affiliate.link}</code>
          <CopyButton value={affiliate.link} label={t("affiliates.link")} />
        </div>
        <p className="summary-note">{t("affiliates.linkHint")}</p>
      </Card>
      <Card title={t("affiliates.figures")}>
        <dl className="stats affiliate-stats">
          {figures.map(([label, value]) => (
            <div key={label} className="stat">
              <dt className="stat-label">{label}</dt>
              <dd className="stat-value">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <div className="grid-2">
        <Card title={t("affiliates.balances")}>
          {affiliate.balances.length === 0 ? (
            <EmptyState title={t("affiliates.noBalance")} />
          ) : (
            <table className="table" data-testid="balances">
              <thead>
                <tr>
                  <th scope="col">{t("affiliates.currency")}</th>
                  <th scope="col" className="num">
                    {t("affiliates.pending")}
                  </th>
                  <th scope="col" className="num">
                    {t("affiliates.available")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {affiliate.balances.map((b) => (
                  <tr key={b.currency}>
                    <td>{b.currency}</td>
                    <td className="num" data-label={t("affiliates.pending")}>
                      <Amount value={b.pending} />
                    </td>
                    <td className="num" data-label={t("affiliates.available")}>
                      <Amount value={b.available} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title={t("affiliates.monthly")}>
          <Chart />
        </Card>
      </div>
      <Card title={t("affiliates.ledger")}>
        <Ledger />
      </Card>
      <div className="grid-2">
        <Card title={t("affiliates.referrals")}>
          {(referrals.data ?? []).length === 0 ? (
            <EmptyState title={t("affiliates.noReferrals")} />
          ) : (
            <ul className="plain-list">
              {(referrals.data ?? []).map((r, i) => (
                <li key={i} data-testid="referral">
                  {t("affiliates.signedUp")} {formatDate(r.signed_up_at, locale())} · {t(`affiliates.attribution.${r.status}`, { defaultValue: r.status })} ·{" "}
                  {r.converted ? t("affiliates.converted") : t("affiliates.notYet")}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={t("affiliates.statement")}>
          <Statement />
        </Card>
      </div>
      <div className="grid-2">
        <Card title={t("affiliates.withdraw")}>
          <Withdraw affiliate={affiliate} />
        </Card>
        <Card title={t("affiliates.withdrawals")}>
          {(withdrawals.data ?? []).length === 0 ? (
            <EmptyState title={t("affiliates.noWithdrawals")} />
          ) : (
            <ul className="plain-list">
              {(withdrawals.data ?? []).map((w) => (
                <li key={w.id} data-testid="withdrawal">
                  {formatDate(w.requested_at, locale())} · {t(`affiliates.methods.${w.method}`, { defaultValue: w.method })} ·{" "}
                  {formatMoney(w.amount, locale())} · {t(`affiliates.withdrawalStatus.${w.status}`, { defaultValue: w.status })}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

export default function AffiliatesRoute() {
  const { t } = useTranslation();
  const affiliate = useAffiliate();
  const join = useJoin();
  return (
    <>
      <PageHeader title={t("affiliates.title")} subtitle={t("affiliates.lead")} />
      {affiliate.isPending ? (
        <Spinner />
      ) : affiliate.isError ? (
        <ErrorNotice error={affiliate.error} />
      ) : affiliate.data === null ? (
        <Card title={t("affiliates.joinTitle")}>
          <div className="form">
            <p>{t("affiliates.joinText")}</p>
            <ErrorNotice error={join.error} />
            <div className="inline-actions">
              <Button busy={join.isPending} onClick={() => join.mutate()}>
                {t("affiliates.join")}
              </Button>
            </div>
          </div>
        </Card>
      ) : (
        <Dashboard affiliate={affiliate.data} />
      )}
    </>
  );
}
