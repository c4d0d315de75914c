/**
 * Password policy edges, user enumeration (status, body and timing), security headers on a page and on
 * API responses, and the audit trail (GET /users/me/events), over HTTP against a production server.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { errorLocations, login, newUser, signup, startServer, uniqueEmail, type Server, keepProductionBcryptCost } from "../helpers/server";

// bcrypt at cost 10, not the suite's 4 (tests/helpers/server.ts): a wrong password and an unknown email must
// take the same time at the production cost.
keepProductionBcryptCost();

let server: Server;
before(async () => {
  // As behind a TLS-terminating proxy on this machine, which alone may say X-Forwarded-Proto (proxy-trust.test.ts).
  server = await startServer({ TRUST_PROXY: "loopback" });
});
after(() => server?.close());

const SIGNUP = "/api/v1/users/signup";
const TOKEN_URL = "/api/v1/login/access-token";
const trySignup = (password: string) => server.api(SIGNUP, { method: "POST", json: { email: uniqueEmail("policy"), password } });

describe("password policy", () => {
  test("7 characters are refused, 8 accepted", async () => {
    const short = await trySignup("zq8-Kp2");
    assert.deepEqual(errorLocations(short), ["body.password"]);
    assert.match(short.body.detail[0].msg, /at least 8 characters/);
    assert.equal((await trySignup("zq8-Kp2w")).status, 201);
  });

  test("characters, not bytes, count for the minimum: 8 two-byte characters pass, 7 do not", async () => {
    assert.equal((await trySignup("é".repeat(7))).status, 422);
    assert.equal((await trySignup("ééééééé§")).status, 201);
  });

  test("72 bytes of multi-byte UTF-8 are accepted (and sign in), 73 refused, never truncated", async () => {
    const twoByte = "é".repeat(36); // 72 bytes
    const email = uniqueEmail("bytes");
    await signup(server, email, twoByte);
    await login(server, email, twoByte);
    // The same 72 bytes plus one more character are a different password, not a truncated match.
    const wrong = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password: twoByte + "é" } });
    assert.equal(wrong.status, 400);
    const tooLong = await trySignup(twoByte + "a"); // 73 bytes
    assert.deepEqual(errorLocations(tooLong), ["body.password"]);
    assert.match(tooLong.body.detail[0].msg, /at most 72 bytes/);
    assert.equal((await trySignup("€".repeat(24))).status, 201); // 3-byte characters, 72 bytes
    assert.equal((await trySignup("€".repeat(24) + "a")).status, 422);
    assert.equal((await trySignup("😀".repeat(18) + "a")).status, 422); // 4-byte characters, 73 bytes
  });

  test("common passwords are refused with a clear 422, whatever their case", async () => {
    for (const password of ["password1", "12345678", "iloveyou", "Qwertyuiop", "PASSWORD123"]) {
      const res = await trySignup(password);
      assert.deepEqual(errorLocations(res), ["body.password"], password);
      assert.match(res.body.detail[0].msg, /most commonly used passwords/);
      assert.equal(res.body.detail[0].type, "common_password");
    }
  });

  test("a common password is refused as a new password too", async () => {
    const { token, password } = await newUser(server, "change");
    const res = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: password, new_password: "football1" },
    });
    assert.deepEqual(errorLocations(res), ["body.new_password"]);
  });
});

describe("user enumeration", () => {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };

  async function timedLogin(email: string, password: string) {
    const start = performance.now();
    const res = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } });
    return { res, ms: performance.now() - start };
  }

  test("an unknown email and a wrong password: same status, body and headers", async () => {
    const { email } = await newUser(server, "enum");
    const wrong = await timedLogin(email, "not-the-password");
    const unknown = await timedLogin(uniqueEmail("ghost"), "not-the-password");
    assert.equal(wrong.res.status, 400);
    assert.equal(unknown.res.status, wrong.res.status);
    assert.equal(unknown.res.text, wrong.res.text);
    const headers = (h: Headers) => [...h].filter(([k]) => k !== "date" && k !== "content-length" && k !== "set-cookie");
    assert.deepEqual(headers(unknown.res.headers), headers(wrong.res.headers));
  });

  test("and the same time: medians within 25% over distinct accounts", async () => {
    const samples = 15;
    const accounts = [];
    for (let i = 0; i < samples; i++) accounts.push((await newUser(server, `timing${i}`)).email);
    await timedLogin(uniqueEmail("warm-up"), "not-the-password"); // the dummy hash is made once
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < samples; i++) {
      // Interleaved, so that machine noise falls on both sides alike; one attempt per account.
      wrong.push((await timedLogin(accounts[i]!, "not-the-password")).ms);
      unknown.push((await timedLogin(uniqueEmail(`nobody${i}`), "not-the-password")).ms);
    }
    const [w, u] = [median(wrong), median(unknown)];
    const ratio = Math.abs(w - u) / Math.max(w, u);
    console.log(`# enumeration timing: wrong password median ${w.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms`);
    assert.ok(ratio <= 0.25, `medians differ by ${(ratio * 100).toFixed(0)}%: wrong ${w.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`);
  });

  test("sign-up of a taken email says only that it is taken (409), not whether the password matched", async () => {
    const { email, password } = await newUser(server, "taken");
    const same = await server.api(SIGNUP, { method: "POST", json: { email, password } });
    const other = await server.api(SIGNUP, { method: "POST", json: { email, password: "another-password-9" } });
    assert.equal(same.status, 409);
    assert.equal(other.text, same.text);
  });
});

describe("security headers", () => {
  test("a page: nonce CSP (object-src, base-uri, frame-ancestors 'none', no unsafe-eval), nosniff, Referrer-Policy", async () => {
    const res = await fetch(`${server.url}/login`);
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(directive), `${directive} missing from ${csp}`);
    }
    assert.ok(!csp.includes("unsafe-eval"), csp);
    assert.match(csp, /script-src [^;]*'strict-dynamic'/);
    assert.ok(!/script-src [^;]*'unsafe-inline'/.test(csp), csp);
    const html = await res.text();
    assert.ok(html.includes(`nonce="${nonce}"`), "the page's scripts carry the header's nonce");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
    assert.equal(res.headers.get("strict-transport-security"), null, "no HSTS over plain HTTP");
    // A fresh nonce per response.
    const again = (await fetch(`${server.url}/login`)).headers.get("content-security-policy");
    assert.notEqual(/'nonce-([^']+)'/.exec(again ?? "")?.[1], nonce);
  });

  test("an API response: nosniff and Cache-Control no-store, on success and on error", async () => {
    const { token } = await newUser(server, "headers");
    for (const res of [
      await server.api("/api/v1/users/me", { token }),
      await server.api("/api/v1/users/me"),
      await server.api(TOKEN_URL, { method: "POST", form: { username: "x@example.com", password: "nope-nope" } }),
    ]) {
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.match(res.headers.get("cache-control") ?? "", /no-store/);
      assert.equal(res.headers.get("strict-transport-security"), null);
    }
  });

  test("HSTS when served over HTTPS (behind a proxy that says X-Forwarded-Proto: https)", async () => {
    for (const path of ["/login", "/api/health"]) {
      const res = await fetch(`${server.url}${path}`, { headers: { "x-forwarded-proto": "https" } });
      assert.match(res.headers.get("strict-transport-security") ?? "", /^max-age=31536000; includeSubDomains$/, path);
    }
  });
});

describe("audit trail", () => {
  test("GET /users/me/events lists the account's sign-ins, failures, tokens, password change and sign-out", async () => {
    const { email, password, token } = await newUser(server, "audit");
    const bad = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: email, password: "wrong-password-123" },
      headers: { "user-agent": "curl/8.5.0" },
    });
    assert.equal(bad.status, 400);
    const second = await login(server, email, password);
    const changed = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token: second,
      json: { current_password: password, new_password: "a-new-password-42" },
    });
    assert.equal(changed.status, 200, changed.text);
    const out = await server.api("/api/v1/logout", { method: "POST", token: second, json: { everywhere: true } });
    assert.equal(out.status, 200, out.text);
    const fresh = await login(server, email, "a-new-password-42");
    const res = await server.api("/api/v1/users/me/events", { token: fresh });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("cache-control") ?? "", /no-store/);
    const types = (res.body.data as { type: string }[]).map((e) => e.type);
    for (const type of ["login_success", "login_failure", "token_issued", "password_changed", "signed_out_everywhere"]) {
      assert.ok(types.includes(type), `${type} missing from ${types.join(", ")}`);
    }
    const failure = res.body.data.find((e: { type: string }) => e.type === "login_failure");
    assert.equal(failure.user_agent, "curl/8.5.0");
    assert.equal(failure.device, "curl");
    assert.ok(failure.ip, "the client's address is recorded");
    assert.ok(!Number.isNaN(Date.parse(failure.created_at)));
    // Never a password or a token.
    for (const secret of [password, "wrong-password-123", "a-new-password-42", token, second, fresh]) {
      assert.ok(!res.text.includes(secret), "a secret leaked into the audit trail");
    }
    assert.equal(res.body.count, res.body.data.length);
    // Another user sees none of it.
    const other = await newUser(server, "audit-other");
    const theirs = await server.api("/api/v1/users/me/events", { token: other.token });
    assert.ok((theirs.body.data as { type: string }[]).every((e) => e.type !== "password_changed"));
    assert.equal((await server.api("/api/v1/users/me/events")).status, 401);
  });

  test("a revoked session is recorded as token_revoked", async () => {
    const { email, password, token } = await newUser(server, "revoke");
    await login(server, email, password);
    const sessions = await server.api("/api/v1/sessions", { token });
    const other = sessions.body.data.find((s: { current: boolean }) => !s.current);
    assert.equal((await server.api(`/api/v1/sessions/${other.id}`, { method: "DELETE", token })).status, 200);
    const events = await server.api("/api/v1/users/me/events", { token });
    assert.ok(events.body.data.some((e: { type: string }) => e.type === "token_revoked"), events.text);
  });
});
