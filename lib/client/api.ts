/**
 * Browser fetch for the app's API: adds the bearer token, and on a 401 asks the token store for a
 * fresh token once before sending the user to the sign-in page with the reason.
 */
import {
  clearToken,
  ensureToken,
  mintFromSession,
  redirectToSignIn,
  type SignOutReason,
} from "./token-store";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { detail?: unknown; reason?: string },
  ) {
    super(typeof body.detail === "string" ? body.detail : `Request failed (${status})`);
  }

  /** Field errors of a 422, by field name. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.body.detail)) {
      for (const item of this.body.detail as { loc?: unknown[]; msg?: string }[]) {
        const field = String(item.loc?.[item.loc.length - 1] ?? "");
        if (field && item.msg && !out[field]) out[field] = item.msg;
      }
    }
    return out;
  }
}

export class SignedOutError extends Error {}

/** The `reason` of a 401 that asks for the password again before a sensitive change ("sudo mode"). */
export const REAUTH_REQUIRED_REASON = "reauth_required";

export const isReauthRequired = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.status === 401 && error.body.reason === REAUTH_REQUIRED_REASON;

/** The server could not be reached (or the page is navigating away); the sign-in is left as it is. */
export class OfflineError extends Error {}

function asReason(value: unknown): SignOutReason {
  return value === "revoked" ? "revoked" : "expired";
}

async function send(path: string, init: RequestInit, token: string): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  return fetch(path, { ...init, headers });
}

/**
 * The account was deactivated (by a superuser): every tab signs out and the sign-in page says why.
 * Other 403s (not a superuser) are the caller's to show.
 */
async function signOutIfInactive(response: Response): Promise<void> {
  const body = (await response.clone().json().catch(() => ({}))) as { detail?: unknown };
  if (body.detail !== "Inactive user") return;
  clearToken("inactive");
  redirectToSignIn("inactive");
  throw new SignedOutError();
}

/**
 * MFA_REQUIRED covers the account and it has no second factor yet (403 `mfa_enrolment_required`): to the
 * page that only enrols (app/enrol), which itself uses only the endpoints still open.
 */
async function enrolIfRequired(response: Response): Promise<void> {
  const body = (await response.clone().json().catch(() => ({}))) as { reason?: unknown };
  if (body.reason !== "mfa_enrolment_required" || window.location.pathname === "/enrol") return;
  window.location.assign(`/enrol?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
}

/** An authenticated request. Throws SignedOutError after starting the redirect to the sign-in page. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const current = await ensureToken();
  if (!current.ok && current.offline) throw new OfflineError("The server could not be reached");
  if (!current.ok) {
    clearToken(current.reason ?? "signed_out");
    redirectToSignIn(current.reason);
    throw new SignedOutError();
  }
  let response = await send(path, init, current.token.token);
  if (response.status === 403) await signOutIfInactive(response);
  if (response.status === 403) await enrolIfRequired(response);
  if (response.status !== 401) return response;

  const refused = (await response.clone().json().catch(() => ({}))) as { reason?: string };
  // The token is fine; the change needs the password again (components/reauth-provider.tsx asks for it).
  if (refused.reason === REAUTH_REQUIRED_REASON) return response;
  const minted = await mintFromSession();
  if (minted.ok) {
    response = await send(path, init, minted.token.token);
    if (response.status !== 401) return response;
  } else if (minted.offline) {
    throw new OfflineError("The server could not be reached");
  }
  const reason = minted.ok ? asReason(refused.reason) : (minted.reason ?? asReason(refused.reason));
  clearToken(reason);
  redirectToSignIn(reason);
  throw new SignedOutError();
}

/** An authenticated JSON request; non-2xx answers throw ApiError with the server's `detail`. */
export async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await apiFetch(path, init);
  const body = (await response.json().catch(() => ({}))) as T & { detail?: unknown };
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** An unauthenticated JSON request (sign-up). */
export async function publicJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const response = await fetch(path, { ...init, headers });
  const body = (await response.json().catch(() => ({}))) as T & { detail?: unknown };
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}
