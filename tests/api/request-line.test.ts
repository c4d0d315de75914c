/**
 * Unusual request lines are the client's mistake, answered with a 4xx, never a 500: methods the app
 * does not serve (TRACE, CONNECT, PROPFIND, FOO), request targets that are not a path (`*`, `host:443`,
 * garbage). Under /api the answer is JSON with a `detail` (405 with `Allow` for a path the API serves);
 * elsewhere a small HTML page. At most one log line each, never a stack trace. Raw sockets: fetch can
 * send neither TRACE nor `*`. (The fuzzer, tests/api/fuzz.test.ts, covers the same at random.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer, type Server } from "../helpers/server";
import { rawRequest, requestHead, type RawResponse } from "../helpers/raw-http";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const send = (method: string, target: string, headers: Record<string, string> = {}) =>
  rawRequest(server.port, requestHead(method, target, { connection: "close", ...headers }));

function assertJsonDetail(res: RawResponse, status: number, what: string) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
  assert.match(res.headers["content-type"] ?? "", /^application\/json/, what);
  const detail = JSON.parse(res.body).detail;
  assert.ok(typeof detail === "string" && detail.length > 0, `${what}: ${res.body}`);
}

function assertPage(res: RawResponse, status: number, what: string) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
  assert.match(res.headers["content-type"] ?? "", /^text\/html/, what);
  assert.match(res.body, /<!DOCTYPE html>/i, what);
  assert.equal(res.headers["x-content-type-options"], "nosniff", what);
}

test("a method the API does not serve, on a path it serves: 405, JSON, Allow lists the path's methods", async () => {
  for (const method of ["TRACE", "PROPFIND", "FOO", "MKCOL", "SEARCH", "QUERY", "M-SEARCH", "get"]) {
    const res = await send(method, "/api/v1/users/me");
    assertJsonDetail(res, 405, `${method} /api/v1/users/me`);
    assert.deepEqual(res.headers.allow?.split(", ").sort(), ["DELETE", "GET", "PATCH"], `${method}: Allow ${res.headers.allow}`);
  }
  const token = await send("TRACE", "/api/v1/login/access-token");
  assertJsonDetail(token, 405, "TRACE /api/v1/login/access-token");
  assert.equal(token.headers.allow, "POST");
  // With a path parameter and a trailing slash, as the API serves them.
  const byId = await send("TRACE", "/api/v1/users/abc/");
  assertJsonDetail(byId, 405, "TRACE /api/v1/users/abc/");
  assert.deepEqual(byId.headers.allow?.split(", ").sort(), ["DELETE", "GET", "PATCH"]);
});

test("a method the API does not serve, on a path it does not know: 404 in JSON", async () => {
  for (const method of ["TRACE", "PROPFIND", "FOO"]) {
    assertJsonDetail(await send(method, "/api/v1/no-such-thing"), 404, `${method} /api/v1/no-such-thing`);
  }
});

test("Auth.js and pages: 405 with a page (pages) or JSON (Auth.js)", async () => {
  for (const method of ["TRACE", "PROPFIND", "FOO"]) {
    assertJsonDetail(await send(method, "/api/auth/session"), 405, `${method} /api/auth/session`);
    const page = await send(method, "/login");
    assertPage(page, 405, `${method} /login`);
    assert.equal(page.headers.allow, "GET, HEAD");
    assertPage(await send(method, "/"), 405, `${method} /`);
  }
});

test("request targets that are not a path: 400 with a page (or JSON when they name /api)", async () => {
  for (const [method, target] of [
    ["GET", "*"],
    ["OPTIONS", "*"],
    ["TRACE", "*"],
    ["GET", "example.com:443"],
    ["GET", "nothing-like-a-path"],
  ] as const) {
    assertPage(await send(method, target), 400, `${method} ${target}`);
  }
  // CONNECT's target is an authority by definition: the method is what is not served.
  assertPage(await send("CONNECT", "127.0.0.1:443"), 405, "CONNECT 127.0.0.1:443");
  // An absolute URL is a path on this server (RFC 9112 §3.2.2).
  const absolute = await send("GET", `http://127.0.0.1:${server.port}/api/health`);
  assert.equal(absolute.status, 200, absolute.body);
  assertJsonDetail(await send("GET", `http://127.0.0.1:${server.port}/api/v1/users/me`), 401, "absolute-form");
  assertJsonDetail(await send("FOO", `http://127.0.0.1:${server.port}/api/v1/users/me`), 405, "absolute-form, odd method");
});

test("each refusal is at most one log line, never a stack trace; ordinary requests are untouched", async () => {
  const before = server.output().length;
  await send("TRACE", "/api/v1/users/me?trace-log-check");
  await send("GET", "*");
  await send("FOO", "/login?foo-log-check");
  await new Promise((r) => setTimeout(r, 300));
  const logged = server.output().slice(before);
  assert.ok(logged.split("\n").filter((l) => l.includes("trace-log-check")).length <= 1, logged);
  assert.ok(logged.split("\n").filter((l) => l.includes("foo-log-check")).length <= 1, logged);
  assert.doesNotMatch(logged, /\n\s+at /, `no stack trace: ${logged}`);
  assert.doesNotMatch(logged, /unsupported|Invalid URL/, logged);

  assert.equal((await send("GET", "/api/health")).status, 200);
  assert.equal((await send("HEAD", "/api/health")).status, 200);
  assertJsonDetail(await send("PUT", "/api/v1/users/me"), 405, "PUT: the route's own 405");
  assert.equal((await send("GET", "/login")).status, 200);
});
