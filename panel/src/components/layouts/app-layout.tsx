import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useLocation, useNavigate } from "react-router";

import { signOut } from "@/lib/auth";
import { LANGUAGES, setLanguage, type Language } from "@/lib/i18n";

export type NavItem = { to: string; label: string; icon: ReactNode; badge?: number; end?: boolean };

export function Brand() {
  return (
    <span className="brand">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M9 23 16 8l7 15M11.5 18h9" stroke="#f2c14e" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span>Abono</span>
    </span>
  );
}

export function LanguageSwitch({ onChange }: { onChange?: (language: Language) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="lang-switch" role="group" aria-label={t("common.language")}>
      {LANGUAGES.map((language) => (
        <button
          key={language}
          type="button"
          className={i18n.language === language ? "active" : ""}
          aria-pressed={i18n.language === language}
          onClick={() => {
            setLanguage(language);
            onChange?.(language);
          }}
        >
          {language.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

export function AppLayout({ nav, userName, onLanguage, children }: { nav: NavItem[]; userName: string; onLanguage: (l: Language) => void; children: ReactNode }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => setOpen(false), [location.pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("common.skip")}
      </a>
      <header className="topbar">
        <Link to="/" className="topbar-brand" aria-label={`Abono: ${t("nav.home")}`}>
          <Brand />
        </Link>
        <div className="topbar-end">
          <LanguageSwitch onChange={onLanguage} />
          <span className="topbar-user" aria-label={t("common.signedInAs")}>
            {userName}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-small signout"
            onClick={() => void signOut().then(() => navigate("/sign-in"))}
          >
            {t("auth.signOut")}
          </button>
          <button
            type="button"
            className="menu-button"
            aria-expanded={open}
            aria-controls="sidenav"
            aria-label={t("common.menu")}
            onClick={() => setOpen(!open)}
          >
            <span aria-hidden="true">{open ? "✕" : "☰"}</span>
          </button>
        </div>
      </header>
      <nav id="sidenav" className={`sidenav ${open ? "open" : ""}`} aria-label={t("common.mainNav")}>
        <ul>
          {nav.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.end ?? item.to === "/"}>
                <span className="nav-icon" aria-hidden="true">
                  {item.icon}
                </span>
                <span>{item.label}</span>
                {item.badge ? (
                  <span className="nav-badge" aria-label={t("notifications.unreadCount", { count: item.badge })}>
                    {item.badge}
                  </span>
                ) : null}
              </NavLink>
            </li>
          ))}
          <li className="sidenav-signout">
            <button type="button" className="linklike" onClick={() => void signOut().then(() => navigate("/sign-in"))}>
              {t("auth.signOut")}
            </button>
          </li>
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function AuthLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-shell">
      <aside className="auth-aside">
        <Brand />
        <p className="auth-tagline">{t("auth.tagline")}</p>
        <ul className="auth-points">
          <li>{t("auth.point1")}</li>
          <li>{t("auth.point2")}</li>
          <li>{t("auth.point3")}</li>
        </ul>
      </aside>
      <main className="auth-main" id="main">
        <div className="auth-top">
          <LanguageSwitch />
        </div>
        <div className="auth-card">{children}</div>
      </main>
    </div>
  );
}
