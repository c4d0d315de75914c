/**
 * The browser's token store, the one module that owns the access token on the client:
 * - keeps it in localStorage["access_token"], so a refresh or a new tab finds it (rehydration);
 * - re-mints it silently from the httpOnly Auth.js session cookie when it is missing or expired;
 * - keeps tabs in sync through the `storage` event;
 * - signs out (this browser, or everywhere) on the server, in Auth.js and in every tab.
 */
import { signOut as authjsSignOut } from "next-auth/react";

export const TOKEN_KEY = "access_token";
/** Swagger UI's own persisted authorization; cleared with ours so the docs page signs out too. */
export const SWAGGER_AUTH_KEY = "authorized";
/** Why the last sign-out happened, so other tabs can say it. */
const SIGN_OUT_REASON_KEY = "signed_out_reason";
/** sessionStorage (this tab only): the sign-out stamp this tab caused or already showed. */
const SIGN_OUT_SEEN_KEY = "signed_out_reason_seen";

export type SignOutReason = "expired" | "revoked" | "signed_out" | "inactive";

export type StoredToken = { token: string; sub: string; jti: string; iat: number; exp: number };

export function decodeToken(token: string): StoredToken | null {
  try {
    const payload = token.split(".")[1];
    if (!payload) return null;
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as Record<string, unknown>;
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number" || typeof claims.iat !== "number") {
      return null;
    }
    return { token, sub: claims.sub, jti: String(claims.jti ?? ""), iat: claims.iat, exp: claims.exp };
  } catch {
    return null;
  }
}

export function readToken(): StoredToken | null {
  if (typeof window === "undefined") return null;
  const raw = window.localStorage.getItem(TOKEN_KEY);
  return raw ? decodeToken(raw) : null;
}

const listeners = new Set<(token: StoredToken | null) => void>();

function notify() {
  const token = readToken();
  listeners.forEach((listener) => listener(token));
}

export function storeToken(token: string): StoredToken | null {
  const decoded = decodeToken(token);
  if (!decoded) return null;
  window.localStorage.setItem(TOKEN_KEY, token);
  window.localStorage.removeItem(SIGN_OUT_REASON_KEY);
  notify();
  return decoded;
}

/**
 * Forgets the token in every tab; `reason` tells the other tabs why. It is stamped, so that each tab
 * says it once (`takeSignOutReason`).
 */
export function clearToken(reason: SignOutReason = "signed_out") {
  window.localStorage.setItem(SIGN_OUT_REASON_KEY, `${reason}@${Date.now()}`);
  window.localStorage.removeItem(TOKEN_KEY);
  window.localStorage.removeItem(SWAGGER_AUTH_KEY);
  notify();
}

/**
 * Why the sign-in ended, if this tab has not said so yet. A tab that signed out itself, or already
 * showed the reason, gets null: its next sign-in page must not claim "you signed out in another tab"
 * (the reason would otherwise outlive the moment it describes).
 */
export function takeSignOutReason(): SignOutReason | null {
  const stamp = window.localStorage.getItem(SIGN_OUT_REASON_KEY);
  if (!stamp || window.sessionStorage.getItem(SIGN_OUT_SEEN_KEY) === stamp) return null;
  window.sessionStorage.setItem(SIGN_OUT_SEEN_KEY, stamp);
  const reason = stamp.split("@")[0];
  return reason === "expired" || reason === "revoked" || reason === "signed_out" || reason === "inactive"
    ? reason
    : null;
}

/** Calls `listener` whenever the token changes, in this tab or another. */
export function subscribe(listener: (token: StoredToken | null) => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === TOKEN_KEY || event.key === null) listener(readToken());
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

/**
 * `offline` marks a mint that never got an answer (network down, or the page navigating away): it says
 * nothing about the sign-in, so nobody should be signed out for it.
 */
export type MintResult =
  | { ok: true; token: StoredToken }
  | { ok: false; reason: SignOutReason | null; offline?: boolean };

let minting: Promise<MintResult> | null = null;

/**
 * Whether this browser holds an Auth.js sign-in. Its cookie is httpOnly, so Auth.js is asked: its session
 * endpoint answers 200 with `null` when there is none. Asking session-token directly would answer 401,
 * which the browser logs as an error on every page a signed-out visitor opens.
 */
async function hasBrowserSignIn(): Promise<boolean> {
  const response = await fetch("/api/auth/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return true; // unsure: let session-token decide
  const session = (await response.json().catch(() => null)) as unknown;
  return session !== null && typeof session === "object" && Object.keys(session).length > 0;
}

/**
 * Exchanges the Auth.js session cookie for a fresh access token. One request at a time per tab.
 * `reason` is null when there simply is no sign-in, else why the sign-in no longer counts.
 */
export function mintFromSession(): Promise<MintResult> {
  minting ??= (async (): Promise<MintResult> => {
    try {
      if (!(await hasBrowserSignIn())) return { ok: false, reason: null };
      const response = await fetch("/api/v1/login/session-token", {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const body = (await response.json()) as { access_token: string };
        const token = storeToken(body.access_token);
        return token ? { ok: true, token } : { ok: false, reason: null };
      }
      const body = (await response.json().catch(() => ({}))) as { reason?: string };
      return { ok: false, reason: body.reason === "expired" || body.reason === "revoked" ? body.reason : null };
    } catch {
      return { ok: false, reason: null, offline: true };
    } finally {
      minting = null;
    }
  })();
  return minting;
}

/** Seconds of life a token must have left to be used; below that it is replaced first. */
export const MIN_REMAINING_SECONDS = 5;

/** The stored token when it is still good, otherwise a freshly minted one. */
export async function ensureToken(): Promise<MintResult> {
  const token = readToken();
  if (token && token.exp - Date.now() / 1000 > MIN_REMAINING_SECONDS) return { ok: true, token };
  const minted = await mintFromSession();
  if (!minted.ok && !minted.offline && token && minted.reason === null) return { ok: false, reason: "expired" };
  return minted;
}

/**
 * Signs out: revokes the token on the server (with `everywhere`, every token and sign-in of the user),
 * ends the Auth.js session and clears the token in every tab.
 */
export async function signOut({ everywhere = false } = {}): Promise<void> {
  leaving = true;
  const token = readToken();
  if (token) {
    await fetch("/api/v1/logout", {
      method: "POST",
      headers: { Authorization: `Bearer ${token.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ everywhere }),
    }).catch(() => undefined);
  }
  await authjsSignOut({ redirect: false }).catch(() => undefined);
  clearToken("signed_out");
  // News to the other tabs, not to this one.
  window.sessionStorage.setItem(SIGN_OUT_SEEN_KEY, window.localStorage.getItem(SIGN_OUT_REASON_KEY) ?? "");
}

export function signInUrl(reason?: SignOutReason | null, next?: string): string {
  const params = new URLSearchParams();
  if (reason) params.set("reason", reason);
  if (next && next !== "/login") params.set("next", next);
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

/** Set while this tab signs out, so it goes where the sign-out sends it rather than "signed out elsewhere". */
let leaving = false;

/** Sends the user to the sign-in page, saying why, and back here afterwards. */
export function redirectToSignIn(reason: SignOutReason | null) {
  if (leaving) return;
  window.location.assign(signInUrl(reason, window.location.pathname + window.location.search));
}
