/** Bad request bodies: malformed, wrong type, missing fields, too large. Never a 500, never half-done. */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import {
  adminToken,
  errorLocations,
  newUser,
  startServer,
  uniqueEmail,
  type ApiResponse,
  type Server,
} from "../helpers/server";

let server: Server;
let token: string;
let admin: string;
before(async () => {
  server = await startServer();
  token = (await newUser(server, "badinput")).token;
  admin = await adminToken(server);
});
after(() => server?.close());

const SIGNUP = "/api/v1/users/signup";
const TOKEN_URL = "/api/v1/login/access-token";

/** Endpoints that read a body, with the token they need (if any). */
const BODY_ENDPOINTS = (): [string, string, string?][] => [
  ["POST", SIGNUP],
  ["POST", TOKEN_URL],
  ["POST", "/api/v1/logout", token],
  ["PATCH", "/api/v1/users/me", token],
  ["PATCH", "/api/v1/users/me/password", token],
  ["POST", "/api/v1/users", admin],
  ["PATCH", "/api/v1/users/cunknownuserid000000000000", admin],
];

const post = (path: string, body: BodyInit, contentType: string, method = "POST", bearer?: string) =>
  server.api(path, { method, body, headers: { "content-type": contentType }, token: bearer });

/**
 * POSTs `count` chunks with chunked transfer encoding on a connection of its own: the server may close
 * it after answering early, and a pooled connection would then fail the next, unrelated request.
 */
function postChunked(url: string, chunk: string, count: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/json" } });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject); // ignored once the response has arrived: the server may stop reading
    for (let i = 0; i < count && !req.destroyed; i++) req.write(chunk);
    req.end();
  });
}

function assertDetail(res: ApiResponse, status: number, what = "") {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.ok(res.body && "detail" in res.body, `${what}: no detail in ${res.text}`);
  assert.ok(
    typeof res.body.detail === "string" ? res.body.detail.length > 0 : res.body.detail.length > 0,
    `${what}: empty detail`,
  );
}

async function userCount(): Promise<number> {
  const res = await server.api("/api/v1/users?limit=1", { token: admin });
  assert.equal(res.status, 200, res.text);
  return res.body.count;
}

describe("malformed and mistyped bodies", () => {
  test("malformed JSON is 400 with a detail", async () => {
    for (const body of ['{"email": "a@b.co",', "{email: 1}", "nope"]) {
      assertDetail(await post(SIGNUP, body, "application/json"), 400, `signup ${body}`);
      assertDetail(await post(TOKEN_URL, body, "application/json"), 400, `login ${body}`);
      assertDetail(await post("/api/v1/users/me", body, "application/json", "PATCH", token), 400, `me ${body}`);
    }
  });

  test("the wrong content type is 422 with a detail", async () => {
    const json = JSON.stringify({ email: uniqueEmail("ctype"), password: "password-1234" });
    const res = await post(SIGNUP, json, "text/plain");
    assertDetail(res, 422, "signup text/plain");
    assert.ok(JSON.stringify(res.body.detail).toLowerCase().includes("content-type"), res.text);
    assertDetail(await post(TOKEN_URL, "username=a&password=b", "text/plain"), 422, "login text/plain");
    // No Content-Type at all.
    const bare = await server.api(SIGNUP, { method: "POST", body: new Blob([json]) });
    assertDetail(bare, 422, "signup without content-type");
  });

  test("missing fields are 422 with detail [{loc, msg, type}] naming each field", async () => {
    const res = await server.api(SIGNUP, { method: "POST", json: {} });
    const fields = errorLocations(res);
    assert.ok(fields.includes("body.email"), res.text);
    assert.ok(fields.includes("body.password"), res.text);

    const pw = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { new_password: "password-5678" },
    });
    assert.ok(errorLocations(pw).includes("body.current_password"), pw.text);
  });

  test("fields of the wrong type are 422 naming the field", async () => {
    const res = await server.api(SIGNUP, { method: "POST", json: { email: 42, password: ["password-1234"] } });
    const fields = errorLocations(res);
    assert.ok(fields.includes("body.email") && fields.includes("body.password"), res.text);
  });
});

describe("bodies over 64 KiB", () => {
  const big = JSON.stringify({ email: uniqueEmail("big"), password: "password-1234", full_name: "x".repeat(70 * 1024) });

  test("413 with a detail, on every endpoint that reads a body", async () => {
    for (const [method, path, bearer] of BODY_ENDPOINTS()) {
      assertDetail(await post(path, big, "application/json", method, bearer), 413, `${method} ${path}`);
    }
    const form = `username=a&password=${"x".repeat(70 * 1024)}`;
    assertDetail(await post(TOKEN_URL, form, "application/x-www-form-urlencoded"), 413, "form");
  });

  test("413 also when the body is streamed without a Content-Length", async () => {
    const res = await postChunked(`${server.url}${SIGNUP}`, "x".repeat(1024), 80);
    assert.equal(res.status, 413, res.text);
    assert.equal(typeof JSON.parse(res.text).detail, "string");
    assert.equal((await server.api("/api/health")).status, 200, "the server still answers");
  });

  test("a body just under the limit is read normally (422 for its content, not 413)", async () => {
    const body = JSON.stringify({ email: "not-an-email", password: "password-1234", pad: "x".repeat(60 * 1024) });
    assertDetail(await post(SIGNUP, body, "application/json"), 422);
  });
});

describe("never a 500", () => {
  test("odd bodies on every endpoint that reads one get a 4xx with a detail", async () => {
    // Not /logout: its one field is optional, so some of these are valid sign-outs there.
    const endpoints = BODY_ENDPOINTS().filter(([, path]) => path !== "/api/v1/logout");
    const bodies: [BodyInit, string][] = [
      ["null", "application/json"],
      ["[]", "application/json"],
      ['"a string"', "application/json"],
      ["123", "application/json"],
      ['{"__proto__": {"is_superuser": true}}', "application/json"],
      ['{"email": {"$ne": null}, "password": {"$gt": ""}}', "application/json"],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "application/json"],
      ["", "application/json"],
      ["a=1&a=2&password", "application/x-www-form-urlencoded"],
      ["--boundary\r\nbroken", "multipart/form-data; boundary=boundary"],
      ["<xml/>", "application/xml"],
      // Deep nesting within the 64 KiB limit: a recursive walk or parser would run out of stack.
      ["[".repeat(30_000) + "]".repeat(30_000), "application/json"],
      ['{"a":'.repeat(10_000) + "1" + "}".repeat(10_000), "application/json"],
    ];
    for (const [method, path, bearer] of endpoints) {
      for (const [body, type] of bodies) {
        const res = await post(path, body, type, method, bearer);
        const what = `${method} ${path} ${type} ${typeof body === "string" ? body : "binary"}`;
        assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${res.text}`);
        assert.ok(res.body && "detail" in res.body, `${what}: ${res.text}`);
      }
    }
    // The token used above still works: nothing above signed it out or broke the server.
    assert.equal((await server.api("/api/v1/users/me", { token })).status, 200);
  });
});

describe("a refused request writes nothing", () => {
  test("failed sign-ups create no user", async () => {
    const before = await userCount();
    const email = uniqueEmail("neverexists");
    const attempts: [BodyInit, string][] = [
      [JSON.stringify({ email, password: "short" }), "application/json"],
      [JSON.stringify({ email, password: "€".repeat(25) }), "application/json"],
      [JSON.stringify({ email, password: "password-1234", full_name: "x".repeat(70 * 1024) }), "application/json"],
      [JSON.stringify({ email, password: "password-1234" }), "text/plain"],
      [`{"email": "${email}", "password": "password-1234"`, "application/json"],
    ];
    for (const [body, type] of attempts) {
      const res = await post(SIGNUP, body, type);
      assert.ok([400, 413, 422].includes(res.status), `${type}: ${res.status} ${res.text}`);
    }
    assert.equal(await userCount(), before);
    const login = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password: "password-1234" } });
    assert.equal(login.status, 400, login.text);
    assert.equal(login.body.error, "invalid_grant");
  });
});

describe("ill-formed strings: lone surrogates and NUL are 422, on every database", () => {
  const LONE = "\ud800";
  const NUL = "a\u0000b";
  /** The JSON text of `value`: JSON.stringify writes a lone surrogate as the escape `\ud800`. */
  const jsonOf = (value: unknown) => JSON.stringify(value);
  const expect422 = (res: ApiResponse, loc: string, what: string) => {
    assert.ok(errorLocations(res).includes(loc), `${what}: ${res.text}`);
  };

  test("in full_name at sign-up, PATCH /users/me and the superuser's create and update", async () => {
    const before = await userCount();
    for (const bad of [LONE, NUL, `Ada ${LONE}`, "\udc00x"]) {
      const what = JSON.stringify(bad);
      const body = (extra: object) => jsonOf({ email: uniqueEmail("illformed"), password: "password-1234", ...extra });
      expect422(await post(SIGNUP, body({ full_name: bad }), "application/json"), "body.full_name", `signup ${what}`);
      expect422(
        await post("/api/v1/users/me", jsonOf({ full_name: bad }), "application/json", "PATCH", token),
        "body.full_name",
        `PATCH me ${what}`,
      );
      expect422(
        await post("/api/v1/users", body({ full_name: bad }), "application/json", "POST", admin),
        "body.full_name",
        `create ${what}`,
      );
    }
    assert.equal(await userCount(), before);
    // A well-formed name with characters outside the BMP (a valid surrogate pair) is fine.
    const ok = await post("/api/v1/users/me", jsonOf({ full_name: "Ada 🦄" }), "application/json", "PATCH", token);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.full_name, "Ada 🦄");
  });

  test("in the login username and password, as JSON and as a form", async () => {
    for (const bad of [LONE, NUL]) {
      const what = JSON.stringify(bad);
      expect422(
        await post(TOKEN_URL, jsonOf({ username: bad, password: "password-1234" }), "application/json"),
        "body.username",
        `JSON username ${what}`,
      );
      expect422(
        await post(TOKEN_URL, jsonOf({ username: "someone@example.com", password: `pw-${bad}-1234` }), "application/json"),
        "body.password",
        `JSON password ${what}`,
      );
    }
    const form = await post(TOKEN_URL, "username=x%00y&password=password-1234", "application/x-www-form-urlencoded");
    expect422(form, "body.username", "form x%00y");
  });

  test("in path ids", async () => {
    for (const [method, path, bearer, field] of [
      ["DELETE", "/api/v1/sessions/a%00b", token, "path.id"],
      ["GET", "/api/v1/users/a%00b", admin, "path.user_id"],
      ["PATCH", "/api/v1/users/a%00b", admin, "path.user_id"],
      ["DELETE", "/api/v1/users/a%00b", admin, "path.user_id"],
      ["DELETE", "/api/v1/users/me/accounts/oidc:a%00b", token, "path.id"],
    ] as const) {
      const res = await server.api(path, { method, token: bearer, json: method === "PATCH" ? { full_name: "x" } : undefined });
      expect422(res, field, `${method} ${path}`);
    }
  });

  test("in the sign-in page's Credentials sign-in: refused as a wrong password, never a server error", async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    for (const email of ["x\u0000y@example.com", `x${LONE}@example.com`]) {
      const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1", cookie },
        body: new URLSearchParams({ email, password: "password-1234", csrfToken, callbackUrl: server.url }).toString(),
        redirect: "manual",
      });
      assert.ok(res.status < 500, `${JSON.stringify(email)}: ${res.status}`);
      const { url } = (await res.json()) as { url: string };
      assert.equal(new URL(url).searchParams.get("error"), "CredentialsSignin", url);
    }
  });
});

describe("a callback URL that is not http(s) never makes Auth.js answer 500", () => {
  test("in the authjs.callback-url cookie: the Auth.js endpoints answer as without it", async () => {
    for (const value of ["javascript:alert(1)", "data:text/html,x", "%ZZ", "ftp://example.com/"]) {
      const cookie = `authjs.callback-url=${encodeURIComponent(value)}`;
      for (const path of ["/api/auth/session", "/api/auth/csrf", "/api/auth/providers", "/api/auth/signin"]) {
        const res = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: "manual" });
        assert.ok(res.status < 500, `${path} with ${value}: ${res.status} ${await res.text()}`);
        // Whatever callback URL Auth.js remembers now is one of its own origin.
        for (const set of res.headers.getSetCookie().filter((c) => c.startsWith("authjs.callback-url="))) {
          const kept = decodeURIComponent(set.split(";")[0]!.slice("authjs.callback-url=".length));
          assert.ok(kept.startsWith(server.url), `${path}: ${kept}`);
        }
      }
    }
  });

  test("in the callbackUrl query parameter: 400 with a detail, not 500", async () => {
    for (const path of ["/api/auth/session", "/api/auth/csrf", "/api/auth/signin"]) {
      const res = await fetch(`${server.url}${path}?callbackUrl=${encodeURIComponent("javascript:alert(1)")}`, {
        redirect: "manual",
      });
      assert.equal(res.status, 400, `${path}: ${res.status}`);
      assert.equal(typeof ((await res.json()) as { detail?: unknown }).detail, "string");
    }
  });
});
