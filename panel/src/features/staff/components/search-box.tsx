import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

/** The console's one search box: clients, invoices (payment reference too), services, tickets. */
export function SearchBox({ initial = "", autoFocus = false }: { initial?: string; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [value, setValue] = useState(initial);
  return (
    <form
      role="search"
      className="staff-search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = value.trim();
        if (q) navigate(`/staff/search?q=${encodeURIComponent(q)}`);
      }}
    >
      <label htmlFor="staff-search-input" className="staff-search-label">
        {t("console.search.label")}
      </label>
      <div className="staff-search-row">
        <input
          id="staff-search-input"
          type="search"
          maxLength={100}
          value={value}
          autoFocus={autoFocus}
          placeholder={t("console.search.placeholder")}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          {t("console.search.button")}
        </button>
      </div>
    </form>
  );
}
