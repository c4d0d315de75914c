/**
 * Auth.js, configured once: the browser's sign-in. Credentials (the same password check as the token
 * endpoint), an optional OpenID Connect provider, the Prisma adapter for users and linked accounts,
 * and JWT sessions signed with the app's own secret. Each sign-in is also recorded as a Session row
 * (`sid` in the cookie) so that signing out everywhere, or revoking it, ends it on the server.
 */
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { Provider } from "next-auth/providers";
import type { Adapter } from "next-auth/adapters";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { NextRequest } from "next/server";
import { z } from "zod";
import { getConfig } from "../config";
import { getDb } from "../db";
import { LoginThrottledError } from "../http/errors";
import { clientInfo } from "../http/client";
import { passwordSignIn } from "./throttle";
import { BROWSER_SESSION_MAX_AGE_SECONDS, endBrowserSession, startBrowserSession } from "../sessions";
import { getSecrets } from "./secret";

class InactiveUserSignin extends CredentialsSignin {
  override code = "inactive";
}

/** Throttled: the code carries the wait, `throttled:<seconds>`, which the sign-in page shows. */
class ThrottledSignin extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${retryAfterSeconds}`;
  }
}

const CredentialsInput = z.object({ email: z.string().max(1024), password: z.string().max(1024) });

function credentialsProvider(): Provider {
  return Credentials({
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(raw, request) {
      const input = CredentialsInput.safeParse(raw);
      if (!input.success) return null;
      let user;
      try {
        user = await passwordSignIn(input.data.email, input.data.password, clientInfo(request), "credentials");
      } catch (error) {
        if (error instanceof LoginThrottledError) throw new ThrottledSignin(error.retryAfterSeconds);
        throw error;
      }
      if (!user) return null;
      if (!user.isActive) throw new InactiveUserSignin();
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

// Built per request (lazily), so that `next build` never reads the secret or opens the database.
const nextAuth = NextAuth((): NextAuthConfig => {
  const { current, previous } = getSecrets();
  return {
    adapter: adapter(),
    providers: [credentialsProvider(), ...oidcProvider()],
    session: { strategy: "jwt", maxAge: BROWSER_SESSION_MAX_AGE_SECONDS },
    secret: [current, ...previous],
    trustHost: true,
    logger: {
      // A refused password is an answer, not a server fault: no stack trace in the log for it.
      error(error) {
        if ((error as { type?: string }).type === "CredentialsSignin") return;
        console.error(error);
      },
    },
    pages: { signIn: "/login", error: "/login" },
    callbacks: {
      async signIn({ user }) {
        // Users are known by their email address: a provider account without one cannot sign in.
        if (!user.email) return false;
        // OpenID Connect users go through the same active check as password users.
        if (!user.id) return true;
        const row = await getDb().user.findUnique({ where: { id: user.id }, select: { isActive: true } });
        return row?.isActive ?? true;
      },
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.sid = await startBrowserSession(user.id);
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, sid: token.sid, userId: token.sub };
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await endBrowserSession(sid);
      },
    },
  };
});

export const { auth, signIn, signOut } = nextAuth;
export const handlers = {
  GET: atBrowserOrigin(nextAuth.handlers.GET),
  POST: atBrowserOrigin(nextAuth.handlers.POST),
};
