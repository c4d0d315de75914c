/**
 * Forwarding headers (X-Forwarded-For, -Proto, -Host) are the client's own words unless a proxy the
 * operator named in TRUST_PROXY wrote them. By default nobody is trusted: the client's address is the
 * socket's, whatever it sends, for the per-IP throttle and the audit trail, and a client cannot claim
 * HTTPS or another host. With TRUST_PROXY naming the peer (these tests connect from 127.0.0.1), the
 * headers are read from the right, as Express does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newUser, startServer, uniqueEmail, type Server } from "../helpers/server";

const TOKEN_URL = "/api/v1/login/access-token";
const IP_LIMIT = 3;

function wrongLogin(server: Server, ip: string) {
  return server.api(TOKEN_URL, {
    method: "POST",
    form: { username: uniqueEmail("nobody"), password: "wrong-password-123" },
    headers: { "x-forwarded-for": ip },
  });
}

/** The address the audit trail recorded for the user's most recent sign-in. */
async function lastLoginIp(server: Server, email: string, password: string, headers: Record<string, string>) {
  const res = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password }, headers });
  assert.equal(res.status, 200, res.text);
  const events = await server.api("/api/v1/users/me/events", { token: res.body.access_token });
  assert.equal(events.status, 200, events.text);
  const login = (events.body.data as { type: string; ip: string | null }[]).find((e) => e.type === "login_success");
  assert.ok(login, events.text);
  return login.ip;
}

/** The URLs Auth.js builds for this request (from the host and protocol it believes the browser used). */
async function authjsSignInUrl(server: Server, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/api/auth/providers`, { headers });
  assert.equal(res.status, 200);
  const providers = (await res.json()) as Record<string, { signinUrl: string }>;
  return providers.credentials!.signinUrl;
}

describe("without TRUST_PROXY (the default): the socket's address is the client's", () => {
  let server: Server;
  before(async () => {
    server = await startServer({ LOGIN_THROTTLE_IP_FAILURES: String(IP_LIMIT), LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60" });
  });
  after(() => server?.close());

  test("the audit trail records the socket's address, not the header", async () => {
    const { email, password } = await newUser(server, "audit-ip");
    const ip = await lastLoginIp(server, email, password, { "x-forwarded-for": "203.0.113.7" });
    assert.equal(ip, "127.0.0.1");
  });

  test("rotating X-Forwarded-For does not escape the per-IP throttle", async () => {
    for (let i = 1; i <= IP_LIMIT; i++) {
      const res = await wrongLogin(server, `10.0.0.${i}`);
      assert.equal(res.status, 400, `attempt ${i}: ${res.text}`);
    }
    const res = await wrongLogin(server, "10.0.0.250");
    assert.equal(res.status, 429, res.text);
  });

  test("X-Forwarded-Proto: https from the client earns no HSTS", async () => {
    const res = await fetch(`${server.url}/api/health`, { headers: { "x-forwarded-proto": "https" } });
    assert.equal(res.headers.get("strict-transport-security"), null);
  });

  test("X-Forwarded-Host from the client changes neither Auth.js's URLs nor the same-origin check", async () => {
    const url = await authjsSignInUrl(server, { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" });
    assert.equal(new URL(url).origin, server.url);
    // A cross-site page that also claims to be the host is still cross-site.
    const res = await server.api("/api/v1/login/session-token", {
      method: "POST",
      headers: { origin: "http://evil.example", "x-forwarded-host": "evil.example" },
    });
    assert.equal(res.status, 403, res.text);
  });
});

describe("with TRUST_PROXY naming the proxy", () => {
  let server: Server;
  before(async () => {
    server = await startServer({
      TRUST_PROXY: "127.0.0.1",
      LOGIN_THROTTLE_IP_FAILURES: String(IP_LIMIT),
      LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60",
    });
  });
  after(() => server?.close());

  test("the address the proxy appended is the client's, for the audit trail and the throttle", async () => {
    const { email, password } = await newUser(server, "trusted");
    // A client-sent value first, then what the proxy appended: the rightmost untrusted address counts.
    assert.equal(await lastLoginIp(server, email, password, { "x-forwarded-for": "6.6.6.6, 203.0.113.7" }), "203.0.113.7");
    for (let i = 1; i <= IP_LIMIT; i++) assert.equal((await wrongLogin(server, "198.51.100.1")).status, 400);
    assert.equal((await wrongLogin(server, "198.51.100.1")).status, 429);
    // Another client behind the same proxy is not held back by the first one's failures.
    assert.equal((await wrongLogin(server, "198.51.100.2")).status, 400);
  });

  test("X-Forwarded-Proto and X-Forwarded-Host from the proxy are used", async () => {
    const res = await fetch(`${server.url}/api/health`, { headers: { "x-forwarded-proto": "https" } });
    assert.equal(res.headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains");
    const url = await authjsSignInUrl(server, { "x-forwarded-host": "app.example:8443", "x-forwarded-proto": "https" });
    assert.equal(new URL(url).origin, "https://app.example:8443");
  });

  test("a hop count trusts that many proxies from the right", async () => {
    await server.restart({ TRUST_PROXY: "2" });
    const { email, password } = await newUser(server, "hops");
    const ip = await lastLoginIp(server, email, password, { "x-forwarded-for": "192.0.2.10, 203.0.113.7" });
    assert.equal(ip, "192.0.2.10");
  });
});
