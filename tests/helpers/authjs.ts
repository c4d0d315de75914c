/** The Auth.js Credentials sign-in over HTTP, as the sign-in page does it (CSRF token, form post). */
import type { Server } from "./server";

/** Returns "ok", or the `code` (else the `error`) of a refused sign-in, e.g. "credentials", "throttled:30". */
export async function credentialsSignIn(server: Server, email: string, password: string, ip: string): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-auth-return-redirect": "1",
      "x-forwarded-for": ip,
      cookie,
    },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: server.url }).toString(),
    redirect: "manual",
  });
  const { url } = (await res.json()) as { url: string };
  const parsed = new URL(url);
  if (!parsed.searchParams.get("error")) return "ok";
  return parsed.searchParams.get("code") ?? parsed.searchParams.get("error")!;
}
