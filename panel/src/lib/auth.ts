// Browser sessions (issue 13 item 2): the access token lives in memory only; the refresh token is an HttpOnly
// cookie scoped to /api/auth/session that JavaScript never sees. Cookie-using calls carry the readable
// `abono_csrf` cookie back as `X-CSRF-Token` (double submit). The access token is renewed silently a minute
// before it expires, and once more on demand when a call answers 401.

export type Session = { accessToken: string; expiresAt: number };

type Listener = (session: Session | null) => void;

const REFRESH_MARGIN_MS = 60_000;
let current: Session | null = null;
let refreshing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    super(`auth ${status}`);
  }
}

export function getSession(): Session | null {
  return current;
}

let restored = false;

/** False until the first page load has tried the refresh cookie (see `restoreSession`). */
export function isRestored(): boolean {
  return restored;
}

/** On first load: a session from the refresh cookie, if this browser has one. */
export async function restoreSession(): Promise<void> {
  try {
    await refresh();
  } finally {
    restored = true;
    listeners.forEach((listener) => listener(current));
  }
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(session: Session | null): void {
  current = session;
  clearTimeout(timer);
  if (session) {
    const wait = Math.max(5_000, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    timer = setTimeout(() => void refresh(), wait);
  }
  listeners.forEach((listener) => listener(session));
}

export function csrfToken(): string | null {
  const match = document.cookie.split("; ").find((c) => c.startsWith("abono_csrf="));
  return match ? decodeURIComponent(match.slice("abono_csrf=".length)) : null;
}

type TokenBody = { access_token: string; expires_in: number };

async function readToken(response: Response): Promise<Session> {
  if (!response.ok) {
    const problem: unknown = await response.json().catch(() => null);
    throw new AuthError(response.status, problem);
  }
  const body = (await response.json()) as TokenBody;
  return { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
}

/** `totpCode`: a staff account's two-factor code (or a recovery code) when the first try answered `totp-required`. */
export async function signIn(email: string, password: string, totpCode?: string): Promise<Session> {
  const response = await fetch("/api/auth/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(totpCode ? { email, password, totp_code: totpCode } : { email, password }),
  });
  const session = await readToken(response);
  set(session);
  return session;
}

/** A new access token from the refresh cookie; null when there is no session (concurrent callers share one call). */
export function refresh(): Promise<Session | null> {
  if (refreshing) return refreshing;
  const csrf = csrfToken();
  if (!csrf) {
    set(null);
    return Promise.resolve(null);
  }
  refreshing = fetch("/api/auth/session/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
  })
    .then(readToken)
    .then(
      (session) => {
        set(session);
        return session;
      },
      () => {
        set(null);
        return null;
      },
    )
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function signOut(): Promise<void> {
  const csrf = csrfToken();
  try {
    await fetch("/api/auth/session", {
      method: "DELETE",
      credentials: "same-origin",
      headers: csrf ? { "X-CSRF-Token": csrf } : {},
    });
  } finally {
    set(null);
  }
}

export async function signOutEverywhere(): Promise<void> {
  const response = await authFetch(new Request("/api/auth/sessions/revoke-all", { method: "POST" }));
  if (!response.ok && response.status !== 401) throw new AuthError(response.status, await response.json().catch(() => null));
  await signOut();
}

/** `fetch` with the access token; a 401 refreshes the session once and repeats the request. */
export async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const session = current ?? (await refresh());
  const response = await fetch(withToken(request, session));
  if (response.status !== 401 || !session) return response;
  const renewed = await refresh();
  return renewed ? fetch(withToken(retry, renewed)) : response;
}

function withToken(request: Request, session: Session | null): Request {
  if (session) request.headers.set("Authorization", `Bearer ${session.accessToken}`);
  return request;
}
