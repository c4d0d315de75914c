/**
 * Auth.js, configured once: the browser's sign-in. Credentials (the same password check as the token
 * endpoint), an optional OpenID Connect provider, the Prisma adapter for users and linked accounts,
 * and JWT sessions signed with the app's own secret. Each sign-in is also recorded as a Session row
 * (`sid` in the cookie) so that signing out everywhere, or revoking it, ends it on the server: the row,
 * not the cookie's signature, decides whether Auth.js sees a signed-in user (`decodeSessionCookie`).
 */
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import { decode as decodeJwt, getToken, type JWT, type JWTDecodeParams } from "next-auth/jwt";
import Credentials from "next-auth/providers/credentials";
import type { Provider } from "next-auth/providers";
import type { Adapter } from "next-auth/adapters";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { NextRequest } from "next/server";
import { z } from "zod";
import { AuthenticationResponse, Text } from "../schemas";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errorResponse, errors, HttpError, LoginThrottledError, OverloadedError } from "../http/errors";
import { clientInfo, type ClientInfo } from "../http/client";
import { recordAuthEvent } from "./audit";
import { passwordSignIn } from "./password-sign-in";
import {
  BROWSER_SESSION_MAX_AGE_SECONDS,
  browserSessionState,
  endBrowserSession,
  startBrowserSession,
} from "./browser-sessions";
import { sameSitePath, withSiteCallbackUrl } from "../auth/callback-url";
import { getSecrets } from "../auth/secret";
import { queueVerificationMail } from "./email-verification";
import { TokenHolderRefused, tokenRefusal } from "../auth/token-holders";
import { completeMfaChallenge, INVALID_CODE, MfaRequired, requireSecondFactorIfEnrolled } from "./mfa-challenges";
import { providerSignInSecondStep } from "./provider-mfa";
import { passkeySignIn } from "./passkey-sign-in";

class InactiveUserSignin extends CredentialsSignin {
  override code = "inactive";
}

/** EMAIL_VERIFICATION=required and the address is not verified (the password was right). */
class UnverifiedSignin extends CredentialsSignin {
  override code = "unverified";
}

/** Throttled: the code carries the wait, `throttled:<seconds>`, which the sign-in page shows. */
class ThrottledSignin extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${retryAfterSeconds}`;
  }
}

/** Load shed (503: more password checks waiting than the server gets through in time): `busy:<seconds>`. */
class BusySignin extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `busy:${retryAfterSeconds}`;
  }
}

/**
 * The password was right and the account has a second factor: the code carries the challenge and the
 * methods it accepts, `mfa_required:<mfa_token>:<method,method>`, which the sign-in page sends back with
 * a code or a passkey's assertion (lib/accounts/mfa-challenges.ts).
 */
class MfaRequiredSignin extends CredentialsSignin {
  constructor(mfaToken: string, methods: string[]) {
    super();
    this.code = `mfa_required:${mfaToken}:${methods.join(",")}`;
  }
}

/** A passkey sign-in whose assertion was refused (unknown passkey, spent challenge, bad signature). */
class PasskeyRefusedSignin extends CredentialsSignin {
  override code = "passkey_refused";
}

/** The second step's code was wrong: the same challenge may be tried again. */
class MfaInvalidCodeSignin extends CredentialsSignin {
  override code = "mfa_invalid";
}

/** The second step's challenge is gone (expired, used, out of tries): start again with the password. */
class MfaExpiredSignin extends CredentialsSignin {
  override code = "mfa_expired";
}

const PasswordStep = z.object({
  email: Text.max(1024),
  password: Text.max(1024),
  // "1": the sign-in page's "send a new link" after an unverified refusal; only the right password sends one.
  resend_verification: z.string().max(8).optional(),
});

/** A passkey's assertion, as the form posts it: the JSON of `startAuthentication()`'s result. */
const PasskeyAssertion = z
  .string()
  .max(32_768)
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "Not JSON" });
      return z.NEVER;
    }
  })
  .pipe(AuthenticationResponse);

const SecondFactorStep = z.object({
  mfa_token: Text.max(256),
  code: Text.max(32).optional(),
  recovery_code: Text.max(64).optional(),
  passkey: PasskeyAssertion.optional(),
});

/** A passkey sign-in: the assertion alone (no email, no password). */
const PasskeyStep = z.object({ passkey: PasskeyAssertion });

/** Auth.js's answer to a refusal of the account itself (inactive, unverified) at either step. */
function refusalSignin(refusal: "inactive" | "unverified"): CredentialsSignin {
  return refusal === "inactive" ? new InactiveUserSignin() : new UnverifiedSignin();
}

/** The second step: a code, a recovery code or a passkey for the challenge the password step (or a provider sign-in) answered. */
async function completeSecondFactor(input: z.output<typeof SecondFactorStep>, client: ClientInfo) {
  try {
    const { user } = await completeMfaChallenge(input, client, ["credentials", "oidc"]);
    return { id: user.id, email: user.email, name: user.name };
  } catch (error) {
    if (error instanceof LoginThrottledError) throw new ThrottledSignin(error.retryAfterSeconds);
    if (error instanceof OverloadedError) throw new BusySignin(error.retryAfterSeconds);
    if (error instanceof TokenHolderRefused) throw refusalSignin(error.refusal);
    if (error instanceof HttpError && error.status === 400) {
      throw error.detail === INVALID_CODE ? new MfaInvalidCodeSignin() : new MfaExpiredSignin();
    }
    throw error;
  }
}

/** A passkey sign-in in the browser: the same check as `POST /login/passkey`, then the account rules. */
async function signInWithPasskey(response: z.output<typeof AuthenticationResponse>, client: ClientInfo) {
  let user;
  try {
    user = await passkeySignIn(response, client);
  } catch (error) {
    if (error instanceof LoginThrottledError) throw new ThrottledSignin(error.retryAfterSeconds);
    if (error instanceof HttpError && error.status === 400) throw new PasskeyRefusedSignin();
    throw error;
  }
  const refusal = tokenRefusal(user);
  if (refusal) throw refusalSignin(refusal);
  return { id: user.id, email: user.email, name: user.name };
}

function credentialsProvider(): Provider {
  return Credentials({
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(raw, request) {
      const second = SecondFactorStep.safeParse(raw);
      const proofs = second.success ? [second.data.code, second.data.recovery_code, second.data.passkey].filter((p) => p !== undefined) : [];
      if (second.success && proofs.length === 1) return completeSecondFactor(second.data, clientInfo(request));
      const passkey = second.success ? null : PasskeyStep.safeParse(raw);
      if (passkey?.success) return signInWithPasskey(passkey.data.passkey, clientInfo(request));
      const input = PasswordStep.safeParse(raw);
      if (!input.success) return null;
      let user;
      try {
        user = await passwordSignIn(input.data.email, input.data.password, clientInfo(request), "credentials");
      } catch (error) {
        if (error instanceof LoginThrottledError) throw new ThrottledSignin(error.retryAfterSeconds);
        if (error instanceof OverloadedError) throw new BusySignin(error.retryAfterSeconds);
        throw error;
      }
      if (!user) return null;
      const refusal = tokenRefusal(user);
      if (refusal === "unverified" && input.data.resend_verification === "1") await queueVerificationMail(user);
      if (refusal) throw refusalSignin(refusal);
      try {
        await requireSecondFactorIfEnrolled(user, "credentials");
      } catch (error) {
        if (error instanceof MfaRequired) throw new MfaRequiredSignin(error.mfaToken, error.methods);
        throw error;
      }
      return { id: user.id, email: user.email, name: user.name };
    },
  });
}

function oidcProvider(): Provider[] {
  const oidc = getConfig().oidc;
  if (!oidc) return [];
  return [
    {
      id: "oidc",
      name: oidc.name,
      type: "oidc",
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      checks: ["pkce", "state", "nonce"],
      // The profile (email, name) comes from the userinfo endpoint, after the ID token is validated:
      // conformant providers put only `sub` in the ID token of the code flow.
      idToken: false,
    },
  ];
}

/** The Prisma adapter, storing emails the way the rest of the app looks them up: lower case. */
function adapter(): Adapter {
  const base = PrismaAdapter(getDb());
  return {
    ...base,
    createUser: (user) => base.createUser!({ ...user, email: user.email.toLowerCase() }),
    getUserByEmail: (email) => base.getUserByEmail!(email.toLowerCase()),
  };
}

/** Whether an OpenID Connect provider's userinfo vouches for `email` (its `email_verified`, for that address). */
function providerVouchesFor(profile: { email?: unknown; email_verified?: unknown } | undefined, email: string): boolean {
  return profile?.email_verified === true && typeof profile.email === "string" && profile.email.toLowerCase() === email.toLowerCase();
}

/**
 * A provider sign-in is the browser sign-in's one `login_success` (a Credentials sign-in records its own),
 * and a provider that vouches for the address (the userinfo's `email_verified`, for the address the
 * account has) verifies it.
 */
async function recordProviderSignIn(
  user: { id?: string | undefined; email?: string | null | undefined },
  profile: Parameters<typeof providerVouchesFor>[0],
  client: ClientInfo | null,
) {
  if (!user.id) return;
  await recordAuthEvent({ type: "login_success", userId: user.id, method: "oidc", client });
  if (!user.email || !providerVouchesFor(profile, user.email)) return;
  await getDb().user.updateMany({
    where: { id: user.id, email: user.email.toLowerCase(), emailVerified: null },
    data: { emailVerified: new Date() },
  });
}

/**
 * Where the browser was headed after a provider sign-in (its `authjs.callback-url` cookie, a path on this
 * site by then: lib/auth/callback-url.ts): the page that finishes an OpenID Connect sign-in names it in `next`.
 */
function destinationOf(request: NextRequest | undefined): string | null {
  const cookie = request?.cookies.get("__Secure-authjs.callback-url") ?? request?.cookies.get("authjs.callback-url");
  // `request.url`, not `nextUrl`: the latter says "localhost" for 127.0.0.1 (see atBrowserOrigin).
  const path = cookie ? sameSitePath(cookie.value, new URL(request!.url).origin) : null;
  if (!path) return null;
  const url = new URL(path, "http://site");
  return url.pathname === "/login/complete" ? url.searchParams.get("next") : path;
}

/** For the sign-in page: which extra providers to offer. */
export function oidcProviderInfo(): { id: string; name: string } | null {
  const oidc = getConfig().oidc;
  return oidc ? { id: "oidc", name: oidc.name } : null;
}

/**
 * Auth.js builds the OpenID Connect `redirect_uri` and its redirects back to the app from the request's
 * URL, but the URL Next.js gives a route handler is not the address the browser used: the Next.js server puts
 * its own listening host in it, and NextRequest rewrites a loopback host (127.0.0.1, [::1]) to
 * "localhost". A browser on http://127.0.0.1:PORT, or on a real domain behind a proxy, would be sent to
 * localhost, where its cookies are not. So the URL is rebuilt from the Host header (X-Forwarded-Host and
 * X-Forwarded-Proto behind a proxy), which `trustHost` already trusts: the server process
 * (scripts/serve.mjs) lets those two through only from a proxy TRUST_PROXY names. AUTH_URL, when set, still wins.
 */
function atBrowserOrigin(handler: (request: NextRequest) => Promise<Response>) {
  return (request: NextRequest) => {
    const first = (name: string) => request.headers.get(name)?.split(",")[0]?.trim() || undefined;
    const host = first("x-forwarded-host") ?? first("host");
    const protocol = first("x-forwarded-proto") ?? request.nextUrl.protocol.replace(/:$/, "");
    if (!host || !/^https?$/.test(protocol)) return handler(request);
    let url: URL;
    try {
      url = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, `${protocol}://${host}`);
    } catch {
      return handler(request);
    }
    if (url.href === request.url) return handler(request);
    const atOrigin = new NextRequest(url, request);
    // Keep the host as sent: NextRequest's own `url` would say "localhost" for 127.0.0.1.
    Object.defineProperty(atOrigin, "url", { value: url.href });
    return handler(atOrigin);
  };
}

/**
 * Every place Auth.js reads its session cookie goes through `jwt.decode`: the session endpoint (and
 * `auth()`), sign-out, and — the one that matters most — the OAuth callback, which links the provider
 * account it just verified to whichever user the cookie names (`handleLoginOrRegister` decodes the
 * cookie itself; the `jwt` callback is not consulted there). So the Session row is checked here: a
 * cookie whose row is gone (signed out everywhere, revoked, password changed), expired, or belongs to
 * an inactive user decodes to a token naming nobody (`ended`, no `sub`), and nothing is linked to
 * anyone on its strength. The `jwt` callback then ends it: no user, and the cookie is cleared rather
 * than refreshed.
 */
async function decodeSessionCookie(params: JWTDecodeParams): Promise<JWT | null> {
  const token = await decodeJwt(params);
  if (!token) return null;
  const state = typeof token.sid === "string" ? await browserSessionState(token.sid, token.sub) : "revoked";
  if (state === "live") return token;
  return { sid: token.sid, ended: state === "expired" ? "expired" : "revoked" };
}

/**
 * The browser sign-in the request's Auth.js cookie names, `{ sid, userId }`: signature and expiry
 * verified, the Session row not yet consulted — `POST /login/session-token` checks it, so that it can
 * say whether the sign-in was revoked or expired (Auth.js's own view only says "no session").
 */
export async function browserSignInFromCookie(request: Request): Promise<{ sid: unknown; userId: unknown } | null> {
  const cookie = request.headers.get("cookie") ?? "";
  // Auth.js names the cookie `__Secure-authjs.session-token` over HTTPS (browsers accept that name only there).
  const secureCookie = /(?:^|;\s*)__Secure-authjs\.session-token(?:\.\d+)?=/.test(cookie);
  const { current, previous } = getSecrets();
  // Only the cookie is passed on: getToken would otherwise take an Authorization header for a cookie.
  const token = await getToken({ req: { headers: { cookie } }, secret: [current, ...previous], secureCookie });
  return token ? { sid: token.sid, userId: token.sub } : null;
}

/** Auth.js errors a client causes (not the server's configuration or its database). */
const CLIENT_ERRORS = new Set(["MissingCSRF", "InvalidCheck", "UnknownAction", "InvalidProvider", "InvalidCallbackUrl", "JWTSessionError"]);

// Built per request (lazily), so that `next build` never reads the secret or opens the database.
const nextAuth = NextAuth((request): NextAuthConfig => {
  const { current, previous } = getSecrets();
  // Who is calling, for the audit trail of account links (absent when `auth()` runs without a request).
  const client: ClientInfo | null = request ? clientInfo(request) : null;
  return {
    adapter: adapter(),
    providers: [credentialsProvider(), ...oidcProvider()],
    session: { strategy: "jwt", maxAge: BROWSER_SESSION_MAX_AGE_SECONDS },
    jwt: { decode: decodeSessionCookie },
    secret: [current, ...previous],
    trustHost: true,
    logger: {
      error(error) {
        const type = (error as { type?: string }).type;
        // A refused password is an answer, not a server fault: nothing in the log for it.
        if (type === "CredentialsSignin") return;
        // A client's mistake (a post without its CSRF token, a stale OAuth state): one line, no stack trace.
        if (type && CLIENT_ERRORS.has(type)) {
          console.warn(`Auth.js refused a request: ${type}: ${error.message.split("\n")[0]!.replace(/ Read more at \S+$/, "")}`);
          return;
        }
        console.error(error);
      },
    },
    pages: { signIn: "/login", error: "/login" },
    callbacks: {
      async signIn({ user, account, profile }) {
        // Users are known by their email address: a provider account without one cannot sign in.
        if (!user.email) return false;
        // OpenID Connect users go through the same rule as password users (lib/auth/token-holders.ts). A
        // user new to us is created after this callback: their cookie and session-token apply the rule.
        if (!user.id) return true;
        const row = await getDb().user.findUnique({
          where: { id: user.id },
          select: { email: true, isActive: true, emailVerified: true },
        });
        if (!row) return true;
        // A provider that vouches for the address verifies it (events.signIn, just after this callback).
        const vouched = account?.type === "oidc" && providerVouchesFor(profile, row.email);
        if (tokenRefusal({ isActive: row.isActive, emailVerified: row.emailVerified ?? (vouched ? new Date() : null) })) return false;
        // An account with a second factor gives it after its provider's sign-in too (lib/accounts/provider-mfa.ts):
        // no session yet, on to the sign-in page's second step.
        const secondStep = account?.type === "oidc" ? await providerSignInSecondStep(user.id, account.id_token, destinationOf(request)) : null;
        if (secondStep) await recordProviderSignIn(user, profile, client);
        return secondStep ?? true;
      },
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.sid = await startBrowserSession(user.id);
          return token;
        }
        // A cookie whose Session row ended (see decodeSessionCookie): signed out, never refreshed.
        if (token.ended) return null;
        return token;
      },
      session({ session, token }) {
        return { ...session, sid: token.sid, userId: token.sub };
      },
    },
    events: {
      async signIn({ user, account, profile }) {
        if (account?.type === "oidc") await recordProviderSignIn(user, profile, client);
      },
      // Linking a provider account gives its holder a way into this user: the user sees it happen.
      async linkAccount({ user, account }) {
        if (!user.id) return;
        await recordAuthEvent({ type: "account_linked", userId: user.id, method: account.provider, client });
      },
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await endBrowserSession(sid);
      },
    },
  };
});

export const { auth, signIn, signOut } = nextAuth;
/**
 * Auth.js answers two refusals with a bare JSON value: `"Bad request."` (a path that is not one of its
 * actions, such as /api/auth/callback/credentials/extra) and `null` (a session update without its CSRF
 * token). They get the API's shape, `{"detail": ...}`, like every other answer under /api.
 */
function withErrorDetail(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest) => {
    const response = await handler(request);
    if (response.status !== 400) return response;
    const body: unknown = await response.clone().json().catch(() => undefined);
    if (body && typeof body === "object" && "detail" in body) return response;
    const detail = body === null ? "Missing or invalid CSRF token" : "Not an Auth.js action (unknown path or provider)";
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json");
    headers.set("cache-control", "no-store");
    headers.delete("content-length");
    return new Response(JSON.stringify({ detail }), { status: 400, headers });
  };
}

/** Auth.js serves GET and POST; the other methods get the API's 405 (Next.js's own has no body). */
const notAllowed = async () => errorResponse(errors.methodNotAllowed(["GET", "POST"]));

export const handlers = {
  GET: withErrorDetail(atBrowserOrigin(withSiteCallbackUrl(nextAuth.handlers.GET))),
  POST: withErrorDetail(atBrowserOrigin(withSiteCallbackUrl(nextAuth.handlers.POST))),
  PUT: notAllowed,
  PATCH: notAllowed,
  DELETE: notAllowed,
};
