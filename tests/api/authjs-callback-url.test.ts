/**
 * The `callbackUrl` a browser posts to Auth.js (sign-in, sign-out) is where it is sent afterwards: only
 * a path on this site is kept. A same-origin absolute URL becomes its path; anything else (another
 * origin, `//host`, `/\host`, another scheme) becomes `/`, before Auth.js sees it, so that Auth.js
 * never throws over it (it used to: 302 to /login?error=Configuration and a stack trace in the log).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { newUser, SESSION_COOKIE, startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

async function csrf() {
  const res = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}

/** Posts the Credentials form with `callbackUrl`; the URL Auth.js sends the browser to, and the session cookie. */
async function signInWith(email: string, password: string, callbackUrl: string) {
  const { csrfToken, cookie } = await csrf();
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1", cookie },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl }).toString(),
    redirect: "manual",
  });
  assert.equal(res.status, 200, `${callbackUrl}: ${res.status}`);
  const { url } = (await res.json()) as { url: string };
  const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return { url: new URL(url), session };
}

const HOSTILE = [
  "http://host.evil.example/",
  "https://host.evil.example/profile",
  "//host.evil.example/profile",
  "/\\host.evil.example/profile",
  "/\t/host.evil.example",
  "javascript:alert(1)",
  "data:text/html,hi",
  "http://127.0.0.1.evil.example/",
  "x".repeat(5000),
  "",
];

test("a callback URL off this site signs in and lands on the home page, with no error", async () => {
  const { email, password } = await newUser(server, "callback");
  const before = server.output().length;
  for (const callbackUrl of HOSTILE) {
    const { url, session } = await signInWith(email, password, callbackUrl);
    assert.equal(url.origin, server.url, `${JSON.stringify(callbackUrl)} → ${url.href}`);
    assert.equal(url.pathname, "/", `${JSON.stringify(callbackUrl)} → ${url.href}`);
    assert.equal(url.searchParams.get("error"), null, `${JSON.stringify(callbackUrl)} → ${url.href}`);
    assert.ok(session, `${JSON.stringify(callbackUrl)}: signed in`);
  }
  await new Promise((r) => setTimeout(r, 300));
  const logged = server.output().slice(before);
  assert.doesNotMatch(logged, /\n\s+at /, `no stack trace: ${logged}`);
  assert.doesNotMatch(logged, /Configuration|InvalidCallbackUrl/, logged);
});

test("a path on this site, or this site's own absolute URL, is kept as a path", async () => {
  const { email, password } = await newUser(server, "callback-ok");
  for (const [callbackUrl, expected] of [
    ["/profile", "/profile"],
    ["/profile?tab=sessions#top", "/profile?tab=sessions"],
    [`${server.url}/docs?x=1`, "/docs?x=1"],
    [server.url, "/"],
  ]) {
    const { url } = await signInWith(email, password, callbackUrl!);
    assert.equal(url.origin, server.url, callbackUrl);
    assert.equal(`${url.pathname}${url.search}`, expected, `${callbackUrl} → ${url.href}`);
  }
});

test("sign-out with a hostile callback URL lands on this site", async () => {
  const { csrfToken, cookie } = await csrf();
  const res = await fetch(`${server.url}/api/auth/signout`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1", cookie },
    body: new URLSearchParams({ csrfToken, callbackUrl: "http://host.evil.example/" }).toString(),
    redirect: "manual",
  });
  assert.equal(res.status, 200);
  const { url } = (await res.json()) as { url: string };
  assert.equal(new URL(url).origin, server.url, url);
});
