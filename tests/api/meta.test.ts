/** GET /api/health, GET /api/health/live, GET /api/openapi.json, and unknown API paths. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer, type Json, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

describe("GET /api/health", () => {
  test('200 {"status": "ok"}', async () => {
    const res = await server.api("/api/health");
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: "ok" });
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  });
});

describe("GET /api/health/live", () => {
  test('200 {"status": "ok"}, not cached, with and without a trailing slash', async () => {
    for (const path of ["/api/health/live", "/api/health/live/"]) {
      const res = await server.api(path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.deepEqual(res.body, { status: "ok" });
      assert.match(res.headers.get("cache-control") ?? "", /no-store/, path);
    }
    assert.equal((await server.api("/api/health/live", { method: "POST" })).status, 405);
  });
});

describe("GET /api/openapi.json", () => {
  let doc: Json;
  before(async () => {
    const res = await server.api("/api/openapi.json");
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    doc = res.body;
  });

  test("is OpenAPI 3.1.0", () => {
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(typeof doc.info?.title, "string");
  });

  test("has an OAuth2 password flow on the token endpoint and an HTTP bearer scheme", () => {
    const schemes: Json[] = Object.values(doc.components?.securitySchemes ?? {});
    const oauth2 = schemes.filter((s) => s.type === "oauth2");
    assert.equal(oauth2.length, 1, JSON.stringify(schemes));
    assert.equal(oauth2[0].flows?.password?.tokenUrl, "/api/v1/login/access-token");
    assert.ok(schemes.some((s) => s.type === "http" && s.scheme?.toLowerCase() === "bearer"), JSON.stringify(schemes));
  });

  test("documents every endpoint, and marks the protected ones as secured", () => {
    const endpoints: [string, string, boolean][] = [
      ["post", "/api/v1/login/access-token", false],
      ["post", "/api/v1/login/session-token", false], // the browser's session cookie, not a bearer token
      ["post", "/api/v1/login/test-token", true],
      ["post", "/api/v1/logout", true],
      ["post", "/api/v1/users/signup", false],
      ["get", "/api/v1/users/me", true],
      ["patch", "/api/v1/users/me", true],
      ["delete", "/api/v1/users/me", true],
      ["patch", "/api/v1/users/me/password", true],
      ["get", "/api/v1/sessions", true],
      ["delete", "/api/v1/sessions/{id}", true],
      ["get", "/api/v1/users/", true],
      ["post", "/api/v1/users/", true],
      ["get", "/api/v1/users/{user_id}", true],
      ["patch", "/api/v1/users/{user_id}", true],
      ["delete", "/api/v1/users/{user_id}", true],
      ["get", "/api/health", false],
      ["get", "/api/health/live", false],
      ["get", "/api/openapi.json", false],
    ];
    const schemeNames = Object.keys(doc.components.securitySchemes);
    for (const [method, path, secured] of endpoints) {
      const op = doc.paths?.[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is missing`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has no responses`);
      const security = op.security ?? doc.security ?? [];
      if (secured) {
        assert.ok(security.length > 0, `${method} ${path} is not secured`);
        for (const requirement of security) {
          for (const name of Object.keys(requirement)) assert.ok(schemeNames.includes(name), name);
        }
      } else {
        assert.equal(security.length, 0, `${method} ${path} should need no token`);
      }
    }
  });

  test("every $ref resolves inside the document", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of new Set(refs)) {
      const pointer = ref.slice('"$ref":"'.length, -1);
      assert.ok(pointer.startsWith("#/"), pointer);
      let node = doc;
      for (const part of pointer.slice(2).split("/")) node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
      assert.ok(node, `unresolved ${pointer}`);
    }
  });

  test("the token endpoint accepts the form and JSON", () => {
    const content = doc.paths["/api/v1/login/access-token"].post.requestBody.content;
    assert.ok(content["application/x-www-form-urlencoded"]);
    assert.ok(content["application/json"]);
  });
});

describe("unknown API paths", () => {
  test("404 in the API's JSON shape, not an HTML page", async () => {
    for (const method of ["GET", "POST"]) {
      const res = await server.api("/api/v1/no-such-endpoint", { method });
      assert.equal(res.status, 404, res.text);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(typeof res.body.detail, "string");
    }
  });
});

describe("methods a route does not serve", () => {
  // Found by the fuzz suite: PATCH /api/v1/users/signup (the users/{id} operation with id "signup")
  // got Next.js's empty 405.
  test("405 in the API's JSON shape, with Allow", async () => {
    const cases: [string, string, string][] = [
      ["PATCH", "/api/v1/users/signup", "POST"],
      ["GET", "/api/v1/login/access-token", "POST"],
      ["PUT", "/api/v1/users/me", "GET, PATCH, DELETE"],
      ["POST", "/api/v1/sessions", "GET"],
      ["DELETE", "/api/health", "GET"],
      ["POST", "/api/openapi.json", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await server.api(path, { method });
      assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `${method} ${path}`);
      assert.equal(res.body.detail, "Method Not Allowed", `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
    }
  });
});
