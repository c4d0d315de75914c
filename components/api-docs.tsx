"use client";
/**
 * Swagger UI on the app's own OpenAPI document, sharing the app's token store:
 * - on load it is authorized (both security schemes) with the stored token, re-minted if needed;
 * - a token obtained through Swagger's Authorize dialog is written to the app's store;
 * - the typed password and client secret never reach Swagger's persisted state (localStorage);
 * - a token the server refuses is dropped from Swagger's state, and the page says why;
 * - sign-out anywhere and tokens refreshed in other tabs reach this page.
 */
import dynamic from "next/dynamic";
import { isDark, subscribeTheme } from "@/lib/client/theme";
import { useEffect, useRef, useState } from "react";
import "swagger-ui-react/swagger-ui.css";
import "./api-docs.css";
import {
  clearToken,
  ensureToken,
  mintFromSession,
  readToken,
  storeToken,
  subscribe,
  SWAGGER_AUTH_KEY,
} from "@/lib/client/token-store";

const SwaggerUI = dynamic(() => import("swagger-ui-react"), { ssr: false, loading: () => <p>Loading API docs…</p> });

const OAUTH2 = "OAuth2PasswordBearer";
const BEARER = "HTTPBearer";
const TOKEN_URL = "/api/v1/login/access-token";
const MFA_URL = "/api/v1/login/mfa";

// swagger-ui's system object is untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type System = any;

type Notice = { tone: "info" | "warn"; text: string; mfaToken?: string } | null;

const reasons: Record<string, string> = {
  expired: "The saved token expired",
  revoked: "The saved token was revoked",
  invalid: "The saved token is not valid",
};

function authorizeWith(system: System, token: string) {
  const schemes = system.specSelectors.securityDefinitions();
  const oauth2 = schemes?.get(OAUTH2);
  if (oauth2) {
    system.authActions.authorizeOauth2({
      auth: { name: OAUTH2, schema: oauth2, scopes: [] },
      token: { access_token: token, token_type: "bearer" },
    });
  }
  if (schemes?.get(BEARER)) system.preauthorizeApiKey(BEARER, token);
  system.authActions.persistAuthorizationIfNeeded();
}

function dropAuthorization(system: System) {
  // Swagger's logout assumes every name it is given is authorized: an absent one throws inside it
  // ("t.getIn is not a function", "reading 'withMutations'"), so only the authorized ones are dropped.
  const authorized = system.authSelectors.authorized();
  const names = [OAUTH2, BEARER].filter((name) => authorized?.has?.(name));
  if (names.length > 0) system.authActions.logout(names);
  window.localStorage.removeItem(SWAGGER_AUTH_KEY);
}

/** Keeps secrets out of Swagger's state (which persistAuthorization copies to localStorage). */
const scrubSecretsPlugin = () => ({
  statePlugins: {
    auth: {
      wrapActions: {
        authorizeOauth2:
          (original: (payload: unknown) => unknown) =>
          (payload: { auth: Record<string, unknown>; token: { access_token?: string } }) => {
            const { password: _password, clientSecret: _secret, ...auth } = payload.auth;
            return original({ ...payload, auth });
          },
      },
    },
  },
});

/**
 * Swagger UI's own dark theme applies under `html.dark-mode`; it follows the app's theme (the saved
 * choice, else the system's colour scheme: lib/client/theme.ts) while this page is open.
 */
function useSwaggerDarkMode() {
  useEffect(() => {
    const apply = () => document.documentElement.classList.toggle("dark-mode", isDark());
    apply();
    const unsubscribe = subscribeTheme(apply);
    return () => {
      unsubscribe();
      document.documentElement.classList.remove("dark-mode");
    };
  }, []);
}

/**
 * Swagger UI's server picker is a <select> inside an empty <label>: it has no accessible name (axe
 * "select-name", e2e/a11y.spec.ts). It gets one when it appears. (Its deep links, off here, would put
 * a link inside each operation's expand button: "nested-interactive".)
 */
function useNamedServerSelect(container: React.RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    const name = () => {
      const select = root.querySelector("select#servers");
      if (select && !select.hasAttribute("aria-label")) select.setAttribute("aria-label", "Server");
    };
    const observer = new MutationObserver(name);
    observer.observe(root, { childList: true, subtree: true });
    name();
    return () => observer.disconnect();
  }, [container]);
}

export function ApiDocs() {
  const systemRef = useRef<System>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const [notice, setNotice] = useState<Notice>(null);
  useSwaggerDarkMode();
  useNamedServerSelect(containerRef);

  // Token changes from elsewhere (sign-out, refresh in another tab) reach Swagger's state.
  useEffect(
    () =>
      subscribe((token) => {
        const system = systemRef.current;
        if (!system) return;
        if (token) authorizeWith(system, token.token);
        else {
          dropAuthorization(system);
          setNotice({ tone: "warn", text: "You signed out, so the docs are no longer authorized." });
        }
      }),
    [],
  );

  async function onComplete(system: System) {
    systemRef.current = system;
    const current = await ensureToken();
    if (current.ok) {
      authorizeWith(system, current.token.token);
      setNotice({ tone: "info", text: "Authorized with your saved access token." });
    } else {
      dropAuthorization(system);
      if (current.reason) setNotice({ tone: "warn", text: `${reasons[current.reason] ?? "The saved token was refused"}. Authorize again to try requests.` });
    }
  }

  // A token from Swagger's own Authorize dialog goes into the app's store.
  function responseInterceptor(response: { url?: string; status?: number; body?: unknown; obj?: unknown }) {
    const url = response.url ?? "";
    const body = (response.body ?? response.obj ?? {}) as { access_token?: string; reason?: string; methods?: string[]; mfa_token?: string };
    if (url.endsWith(TOKEN_URL) && response.status === 200 && body.access_token) {
      storeToken(body.access_token);
      setNotice({ tone: "info", text: "Signed in: the token is saved for the whole app." });
    } else if (url.endsWith(MFA_URL) && response.status === 200 && body.access_token) {
      // The second step of a login tried out here (docs/mfa.md): its token authorizes the page, as Authorize's would.
      storeToken(body.access_token);
      authorizeWith(systemRef.current, body.access_token);
      setNotice({ tone: "info", text: "Signed in with the second factor: the token is saved and the page is authorized." });
    } else if (response.status === 401 && body.reason === "mfa_required") {
      // The password was right; the account has a second factor. Not a refusal of the saved token.
      setNotice({
        tone: "info",
        text:
          (body.methods?.includes("totp")
            ? "This account has two-factor authentication: Authorize again with the password followed directly by the 6-digit code of the authenticator app (no space between them), or try"
            : "This account has two-factor authentication: try") +
          " out POST /api/v1/login/mfa with the mfa_token below and a code; its token then authorizes the page.",
        // Authorize's dialog shows only "Unauthorized": the token is shown here, or it would be shown nowhere.
        mfaToken: body.mfa_token,
      });
    } else if (response.status === 401 && typeof body.reason === "string" && readToken()) {
      void onTokenRefused(body.reason);
    }
    return response;
  }

  async function onTokenRefused(reason: string) {
    const system = systemRef.current;
    dropAuthorization(system);
    clearToken(reason === "revoked" ? "revoked" : "expired");
    const minted = await mintFromSession();
    if (minted.ok) {
      authorizeWith(system, minted.token.token);
      setNotice({ tone: "info", text: `${reasons[reason] ?? "The token was refused"}; a fresh one was issued from your sign-in. Run the request again.` });
    } else {
      setNotice({ tone: "warn", text: `${reasons[reason] ?? "The token was refused"} and was removed. Use Authorize to sign in again.` });
    }
  }

  return (
    <div className="api-docs" ref={containerRef}>
      {notice && (
        <p className={notice.tone === "warn" ? "form-error" : "notice"} role="status" data-testid="docs-notice">
          {notice.text}
          {notice.mfaToken && (
            <>
              {" "}mfa_token (5 minutes, once): <code className="docs-mfa-token" data-testid="docs-mfa-token">{notice.mfaToken}</code>
            </>
          )}
        </p>
      )}
      <SwaggerUI
        url="/api/openapi.json"
        persistAuthorization
        tryItOutEnabled
        displayRequestDuration
        plugins={[scrubSecretsPlugin]}
        onComplete={onComplete}
        responseInterceptor={responseInterceptor}
      />
    </div>
  );
}
