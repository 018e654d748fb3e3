import { useTranslation } from "react-i18next";

import { Button, ErrorNotice, Notice, Spinner } from "@/components/ui";
import { TotpEnrol, TotpResets } from "@/features/settings/components/totp-admin";
import { useMyTotp, useRecoveryCodes, useSecurityPolicy, useSetSecurityPolicy } from "@/features/settings/api/more";

/** Issue 14 item 7: the admins' policy (TOTP required of every staff account) and my own second factor. */
export function SecurityCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const policy = useSecurityPolicy();
  const setPolicy = useSetSecurityPolicy();
  const mine = useMyTotp();
  const codes = useRecoveryCodes();
  if (policy.isPending || mine.isPending) return <Spinner />;
  if (policy.isError) return <ErrorNotice error={policy.error} />;
  const required = policy.data.require_staff_totp;
  return (
    <div className="form">
      <div className="field">
        <label className="check-row">
          <input
            type="checkbox"
            checked={required}
            disabled={!editable || setPolicy.isPending}
            onChange={(e) => setPolicy.mutate(e.target.checked)}
          />
          <span>{t("staffSettings.security.require")}</span>
        </label>
        <p className="field-hint">{t("staffSettings.security.requireHint")}</p>
      </div>
      <ErrorNotice error={setPolicy.error ?? codes.error} />
      {mine.data && (
        <Notice tone={mine.data.confirmed ? "ok" : "warn"} title={t(mine.data.confirmed ? "staffSettings.security.mineOn" : "staffSettings.security.mineOff")}>
          <p>{t(mine.data.confirmed ? "staffSettings.security.codesLeft" : "staffSettings.security.howToEnrol", { count: mine.data.recovery_codes_left })}</p>
        </Notice>
      )}
      {mine.data?.confirmed && (
        <Button variant="secondary" busy={codes.isPending} onClick={() => codes.mutate()}>
          {t("staffSettings.security.newCodes")}
        </Button>
      )}
      {mine.data && !mine.data.confirmed && <TotpEnrol />}
      {codes.data && (
        <Notice tone="info" title={t("staffSettings.security.codesTitle")}>
          <ul className="recovery-codes">
            {codes.data.codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </Notice>
      )}
      {editable && <TotpResets />}
    </div>
  );
}
