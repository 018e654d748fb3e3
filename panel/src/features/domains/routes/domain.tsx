// /domains/:id: one domain (D-3): name servers or the provider's DNS, transfer lock, EPP code, renewal on/off
// (B-15: a domain is never cancelled, only not renewed), and the registrant data when registration waits for it.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { Button, Card, DefinitionList, ErrorNotice, Field, Notice, PageHeader, Spinner } from "@/components/ui";
import { useBillingService, useSetRenew } from "@/features/services/api";
import { formatDate, formatDateTime } from "@/lib/format";
import { locale } from "@/lib/i18n";

import { useDomain, useEppCode, useRegistrant, useSetLock, useSetNameservers, useTransferIn, type Domain } from "../api";
import { RegistrantForm } from "../components/registrant";
import { DomainBadge } from "../components/status";

function Nameservers({ domain }: { domain: Domain }) {
  const { t } = useTranslation();
  const save = useSetNameservers(domain.service_id);
  const [own, setOwn] = useState(!domain.uses_provider_dns);
  const [list, setList] = useState<string[]>(domain.nameservers.length >= 2 ? domain.nameservers : ["", ""]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const servers = list.map((s) => s.trim().toLowerCase()).filter(Boolean);
    save.mutate(own ? { nameservers: servers, use_provider_dns: false } : { nameservers: [], use_provider_dns: true });
  };
  return (
    <Card title={t("domains.nameservers")}>
      <form className="form" onSubmit={submit}>
        <fieldset>
          <legend className="visually-hidden">{t("domains.nameservers")}</legend>
          <div className="choices">
            <label className="choice">
              <input type="radio" name="dns" checked={!own} onChange={() => setOwn(false)} />
              <span className="choice-title">{t("domains.providerDns")}</span>
              <span className="choice-sub">{t("domains.providerDnsHint")}</span>
            </label>
            <label className="choice">
              <input type="radio" name="dns" checked={own} onChange={() => setOwn(true)} />
              <span className="choice-title">{t("domains.ownDns")}</span>
            </label>
          </div>
        </fieldset>
        {own && (
          <div className="ns-list">
            {list.map((value, i) => (
              <Field
                key={i}
                label={t("domains.nameserver", { n: i + 1 })}
                autoCapitalize="none"
                spellCheck={false}
                maxLength={253}
                required={i < 2}
                value={value}
                onChange={(e) => setList(list.map((v, j) => (j === i ? e.target.value : v)))}
              />
            ))}
            <p className="field-hint">{t("domains.nsHint")}</p>
            {list.length < 13 && (
              <Button variant="ghost" className="btn-small" onClick={() => setList([...list, ""])}>
                {t("domains.addNs")}
              </Button>
            )}
          </div>
        )}
        {domain.registry_nameservers.length > 0 && <p className="row-sub">{t("domains.atRegistry", { list: domain.registry_nameservers.join(", ") })}</p>}
        {save.isSuccess && <Notice tone="ok">{t("domains.nsSaved")}</Notice>}
        <ErrorNotice error={save.error} />
        <div className="inline-actions">
          <Button type="submit" busy={save.isPending}>
            {t("domains.saveNs")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function LockAndEpp({ domain }: { domain: Domain }) {
  const { t } = useTranslation();
  const lock = useSetLock(domain.service_id);
  const epp = useEppCode(domain.service_id);
  return (
    <Card title={t("domains.lock")}>
      <div className="form">
        <p>{domain.locked ? t("domains.locked") : t("domains.unlocked")}</p>
        <div className="inline-actions">
          <Button variant="secondary" busy={lock.isPending} onClick={() => lock.mutate(!domain.locked)}>
            {domain.locked ? t("domains.doUnlock") : t("domains.doLock")}
          </Button>
        </div>
        <ErrorNotice error={lock.error} />
        <h3>{t("domains.epp")}</h3>
        <p className="muted">{t("domains.eppLead")}</p>
        {epp.data ? (
          <p className="epp" data-testid="epp-code">
            {epp.data.epp_code}
          </p>
        ) : (
          <div className="inline-actions">
            <Button variant="ghost" disabled={domain.locked} busy={epp.isPending} onClick={() => epp.mutate()}>
              {t("domains.showEpp")}
            </Button>
          </div>
        )}
        <ErrorNotice error={epp.error} />
      </div>
    </Card>
  );
}

/** D-3 transfer in: the EPP (auth) code the current registrar gave the client; sent once the order is paid. */
function TransferCode({ domain }: { domain: Domain }) {
  const { t } = useTranslation();
  const send = useTransferIn(domain.service_id);
  const [code, setCode] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate(code.trim());
  };
  return (
    <Card title={t("domains.transferCode")}>
      <form className="form" onSubmit={submit}>
        {domain.transfer_refused ? (
          <Notice tone="bad" title={t("domains.transferRefused")}>
            <p className="error-text">{domain.transfer_refused}</p>
          </Notice>
        ) : (
          <Notice tone="warn">{t("domains.needs.epp_code")}</Notice>
        )}
        <p className="muted">{t("domains.transferCodeLead")}</p>
        <Field label={t("domains.eppField")} autoCapitalize="none" autoComplete="off" spellCheck={false} maxLength={64} required value={code} onChange={(e) => setCode(e.target.value)} />
        <ErrorNotice error={send.error} />
        <div className="inline-actions">
          <Button type="submit" busy={send.isPending} disabled={!code.trim()}>
            {t("domains.sendCode")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Renewal({ id }: { id: string }) {
  const { t } = useTranslation();
  const service = useBillingService(id);
  const renew = useSetRenew(id);
  if (!service.data) return null;
  const on = service.data.renew;
  return (
    <Card title={t("domains.autoRenew")}>
      <div className="form">
        <p>{on ? t("domains.autoRenewOn") : t("domains.autoRenewOff")}</p>
        <p className="muted">{t("domains.noCancel")}</p>
        <div className="inline-actions">
          <Button variant="secondary" busy={renew.isPending} onClick={() => renew.mutate(!on)}>
            {on ? t("domains.turnOff") : t("domains.turnOn")}
          </Button>
        </div>
        <ErrorNotice error={renew.error} />
      </div>
    </Card>
  );
}

export default function DomainRoute() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const domain = useDomain(id);
  const registrant = useRegistrant();
  if (domain.isPending) return <Spinner />;
  if (domain.isError) return <ErrorNotice error={domain.error} />;
  const d = domain.data;
  const registered = d.status === "active" || d.status === "expired";
  const nicAr = d.name.endsWith(".ar"); // NIC Argentina: no EPP code or lock; changes are done in its TAD
  return (
    <>
      <p>
        <Link to="/domains">← {t("domains.title")}</Link>
      </p>
      <PageHeader title={d.name} actions={<DomainBadge status={d.status} />} />
      {(d.needs === "registrant_data" || d.needs === "tax_id") && (
        <Card title={t("domains.registrantTitle")}>
          <Notice tone="warn">{t(`domains.needs.${d.needs}`)}</Notice>
          {registrant.isSuccess && <RegistrantForm initial={registrant.data} />}
        </Card>
      )}
      {(d.needs === "epp_code" || d.transfer_refused) && <TransferCode domain={d} />}
      {d.status === "transferring" && <Notice tone="info">{t("domains.transferring")}</Notice>}
      {nicAr && d.status === "registering" && <Notice tone="info">{t("domains.nicArRegistering")}</Notice>}
      <div className="grid-2">
        <Card title={t("domains.summary")}>
          <DefinitionList
            items={[
              [t("domains.expires"), formatDate(d.expires_on, locale())],
              [t("domains.registeredFor"), t("domains.yearsCount", { count: d.years })],
              [t("domains.nameservers"), d.uses_provider_dns ? t("domains.providerDns") : d.nameservers.join(", ")],
              [t("domains.synced"), formatDateTime(d.synced_at, locale())],
            ]}
          />
        </Card>
        <Renewal id={d.service_id} />
      </div>
      {registered && (
        <div className="grid-2">
          <Nameservers domain={d} />
          {nicAr ? (
            <Card title={t("domains.lock")}>
              <p className="muted">{t("domains.nicArNoEpp")}</p>
            </Card>
          ) : (
            <LockAndEpp domain={d} />
          )}
        </div>
      )}
    </>
  );
}
