/**
 * Every route refuses a body over its family's limit (lib/http/body-limits.mjs) with 413 before reading
 * it: JSON with a `detail` under /api, a small page elsewhere. Declared (Content-Length), announced
 * (Expect: 100-continue) and streamed (chunked, no length) bodies alike; the Auth.js routes included,
 * which used to buffer any body before their CSRF check. Raw sockets, so that a client that never stops
 * sending (or never sends what it declared) is what the server sees.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { API_BODY_LIMIT, AUTHJS_BODY_LIMIT, PAGE_BODY_LIMIT } from "../../lib/http/body-limits.mjs";
import { browserSignIn, newUser, startServer, type Server } from "../helpers/server";
import { rawRequest, requestHead, type RawResponse } from "../helpers/raw-http";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

/** [path, limit, answers in JSON] for each family, Auth.js's POST endpoints first. */
const ROUTES: [string, number, boolean][] = [
  ["/api/auth/callback/credentials", AUTHJS_BODY_LIMIT, true],
  ["/api/auth/signout", AUTHJS_BODY_LIMIT, true],
  ["/api/auth/signin/credentials", AUTHJS_BODY_LIMIT, true],
  ["/api/auth/session", AUTHJS_BODY_LIMIT, true],
  ["/api/v1/users/signup", API_BODY_LIMIT, true],
  ["/api/v1/no-such-endpoint", API_BODY_LIMIT, true],
  ["/.well-known/jwks.json", API_BODY_LIMIT, true],
  ["/login", PAGE_BODY_LIMIT, false],
  ["/", PAGE_BODY_LIMIT, false],
];

const FORM = { "content-type": "application/x-www-form-urlencoded" };

function assertRefused(res: RawResponse, json: boolean, what: string) {
  assert.equal(res.status, 413, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
  if (json) {
    assert.match(res.headers["content-type"] ?? "", /^application\/json/, what);
    assert.match(JSON.parse(res.body).detail, /larger than \d+ KiB/, what);
  } else {
    assert.match(res.headers["content-type"] ?? "", /^text\/html/, what);
    assert.match(res.body, /larger than \d+ KiB/, what);
  }
}

describe("a body over the limit is refused before it is read", () => {
  test("declared: a Content-Length over the limit is answered at once, the body never sent", async () => {
    for (const [path, , json] of ROUTES) {
      // 300 MB declared, none of it sent: only an answer that does not wait for the body arrives.
      const res = await rawRequest(server.port, requestHead("POST", path, { ...FORM, "content-length": 300_000_000 }), { timeoutMs: 3000 });
      assertRefused(res, json, `POST ${path}`);
      assert.equal(res.headers.connection, "close", `${path}: the unread body is not taken for the next request`);
    }
  });

  test("declared one byte over the limit: refused; at the limit: read", async () => {
    for (const [path, limit, json] of ROUTES) {
      const over = await rawRequest(server.port, requestHead("POST", path, { ...FORM, "content-length": limit + 1 }), { timeoutMs: 3000 });
      assertRefused(over, json, `POST ${path} (limit + 1)`);
    }
    // Exactly the limit reaches the app, which answers for its content (not 413).
    const body = `email=a%40b.example&password=${"x".repeat(API_BODY_LIMIT - 40)}`.padEnd(API_BODY_LIMIT, "x");
    const res = await rawRequest(server.port, requestHead("POST", "/api/v1/users/signup", { ...FORM, "content-length": body.length }) + body);
    assert.notEqual(res.status, 413, res.body);
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.body}`);
  });

  test("announced: Expect: 100-continue over the limit gets 413 instead of 100 Continue", async () => {
    for (const [path, , json] of ROUTES) {
      const res = await rawRequest(
        server.port,
        requestHead("POST", path, { ...FORM, "content-length": 10_000_000, expect: "100-continue" }),
        { timeoutMs: 3000 },
      );
      assertRefused(res, json, `POST ${path} (100-continue)`);
    }
  });

  test("streamed: a chunked body with no length is refused once it passes the limit", async () => {
    for (const [path, limit, json] of ROUTES) {
      // Up to 64 MB, sent until the server answers: it must answer long before that.
      const res = await rawRequest(server.port, requestHead("POST", path, { ...FORM, "transfer-encoding": "chunked" }), {
        timeoutMs: 10_000,
        streamChunks: { chunk: Buffer.alloc(16 * 1024, "a"), max: 4096, chunked: true },
      });
      assertRefused(res, json, `POST ${path} (chunked, limit ${limit})`);
    }
    assert.equal((await server.api("/api/health")).status, 200, "the server still answers");
  });

  test("a chunked body within the limit still works: a browser sign-in", async () => {
    const { email, password } = await newUser(server, "limits");
    assert.ok(await browserSignIn(server, email, password));
    // The same form streamed in small chunks without a length reaches Auth.js whole.
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const form = Buffer.from(new URLSearchParams({ email, password, csrfToken, callbackUrl: "/profile" }).toString());
    const res = await rawRequest(
      server.port,
      requestHead("POST", "/api/auth/callback/credentials", { ...FORM, "transfer-encoding": "chunked", cookie, "x-auth-return-redirect": "1" }),
      { streamChunks: { chunk: form, max: 1, chunked: true } },
    );
    assert.equal(res.status, 200, res.body);
    assert.match(res.headers["set-cookie"] ?? "", /authjs\.session-token=/, "signed in");
  });
});

describe("Auth.js's refusals", () => {
  test("a post without its CSRF token is one log line, not a stack trace", async () => {
    const before = server.output().length;
    const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: FORM,
      body: "email=a%40b.example&password=x",
      redirect: "manual",
    });
    assert.ok(res.status < 500, `status ${res.status}`);
    await new Promise((r) => setTimeout(r, 300));
    const logged = server.output().slice(before);
    assert.equal(logged.split("\n").filter((l) => /MissingCSRF/.test(l)).length, 1, logged);
    assert.doesNotMatch(logged, /\n\s+at /, `no stack trace: ${logged}`);
  });
});
