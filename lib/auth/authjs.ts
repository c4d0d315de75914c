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
import { z } from "zod";
import { getConfig } from "../config";
import { getDb } from "../db";
import { authenticate } from "../users";
import { BROWSER_SESSION_MAX_AGE_SECONDS, endBrowserSession, startBrowserSession } from "../sessions";
import { getSecrets } from "./secret";

class InactiveUserSignin extends CredentialsSignin {
  override code = "inactive";
}

const CredentialsInput = z.object({ email: z.string().max(1024), password: z.string().max(1024) });

function credentialsProvider(): Provider {
  return Credentials({
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(raw) {
      const input = CredentialsInput.safeParse(raw);
      if (!input.success) return null;
      const user = await authenticate(input.data.email, input.data.password);
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

// Built per request (lazily), so that `next build` never reads the secret or opens the database.
export const { handlers, auth, signIn, signOut } = NextAuth((): NextAuthConfig => {
  const { current, previous } = getSecrets();
  return {
    adapter: adapter(),
    providers: [credentialsProvider(), ...oidcProvider()],
    session: { strategy: "jwt", maxAge: BROWSER_SESSION_MAX_AGE_SECONDS },
    secret: [current, ...previous],
    trustHost: true,
    pages: { signIn: "/login", error: "/login" },
    callbacks: {
      async signIn({ user }) {
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
